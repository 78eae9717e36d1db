package docsnippets

import (
	"bufio"
	"bytes"
	"strings"
)

// Block is one ```go block of a Markdown file.
type Block struct {
	File string // the Markdown file, as the caller named it
	Line int    // the line of the block's first line of code, from 1
	Code string // the code, without the fences and without the fence's indentation
	// NotCompiled is the reason given by a "*Not compiled:" line just before the block (blank
	// lines between them allowed), or "" for a block that is compiled.
	NotCompiled string
}

// notCompiledMarker starts the visible line that exempts the next block from compilation.
const notCompiledMarker = "*Not compiled:"

// Blocks returns the ```go blocks of a Markdown file's text, in order. A block that is never
// closed runs to the end of the file.
func Blocks(file string, markdown []byte) []Block {
	var (
		blocks    []Block
		cur       *Block
		indent    string
		code      strings.Builder
		lastProse string // the last non-blank line outside a block
	)
	sc := bufio.NewScanner(bytes.NewReader(markdown))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if cur == nil {
			if isGoFence(trimmed) {
				indent = line[:len(line)-len(strings.TrimLeft(line, " \t"))]
				cur = &Block{File: file, Line: n + 1}
				if strings.HasPrefix(lastProse, notCompiledMarker) {
					cur.NotCompiled = strings.TrimSpace(strings.Trim(strings.TrimPrefix(lastProse, notCompiledMarker), "* "))
				}
				code.Reset()
			} else if trimmed != "" {
				lastProse = trimmed
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") && strings.Trim(trimmed, "`") == "" {
			cur.Code = code.String()
			blocks = append(blocks, *cur)
			cur, lastProse = nil, ""
			continue
		}
		code.WriteString(strings.TrimPrefix(line, indent))
		code.WriteByte('\n')
	}
	if cur != nil {
		cur.Code = code.String()
		blocks = append(blocks, *cur)
	}
	return blocks
}

// isGoFence says a trimmed line opens a block whose info string's first word is go.
func isGoFence(trimmed string) bool {
	info, ok := strings.CutPrefix(trimmed, "```")
	if !ok {
		return false
	}
	fields := strings.Fields(info)
	return len(fields) > 0 && fields[0] == "go"
}
