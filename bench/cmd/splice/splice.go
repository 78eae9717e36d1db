package main

import (
	"bytes"
	"fmt"
)

// splice returns doc with the lines between the section's markers replaced by content.
func splice(doc []byte, section string, content []byte) ([]byte, error) {
	begin := []byte("<!-- " + section + ":begin -->\n")
	end := []byte("<!-- " + section + ":end -->")
	i := bytes.Index(doc, begin)
	if i < 0 {
		return nil, fmt.Errorf("no %q marker", bytes.TrimSpace(begin))
	}
	j := bytes.Index(doc[i+len(begin):], end)
	if j < 0 {
		return nil, fmt.Errorf("no %q marker after %q", end, bytes.TrimSpace(begin))
	}
	j += i + len(begin)
	var out bytes.Buffer
	out.Write(doc[:i+len(begin)])
	out.Write(content)
	if len(content) > 0 && content[len(content)-1] != '\n' {
		out.WriteByte('\n')
	}
	out.Write(doc[j:])
	return out.Bytes(), nil
}
