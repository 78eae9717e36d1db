package apisnapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// listedPackage is what Load reads of `go list -json`.
type listedPackage struct {
	ImportPath string
	Name       string
	Export     string
	Module     *struct{ Main bool }
	Error      *struct{ Err string }
}

// Covered reports whether the snapshot covers the package at importPath of module modPath:
// every package of the module but the internal ones, the examples and the generated protobuf
// code under proto/ (its API is the .proto file's, which buf lint guards).
func Covered(modPath, importPath string) bool {
	rel, ok := strings.CutPrefix(importPath, modPath)
	if !ok || (rel != "" && rel[0] != '/') {
		return false
	}
	parts := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	if slices.Contains(parts, "internal") {
		return false
	}
	return parts[0] != "examples" && parts[0] != "proto"
}

// Load type-checks, from their export data, the covered library packages (not main) of the
// Go module in dir, and returns them sorted by import path.
func Load(dir string) ([]*types.Package, error) {
	modPath, err := goCmd(dir, "list", "-m")
	if err != nil {
		return nil, err
	}
	modPath = strings.TrimSpace(modPath)
	all, err := goList(dir, "./...")
	if err != nil {
		return nil, err
	}
	var targets []string
	for _, p := range all {
		if p.Module != nil && p.Module.Main && p.Name != "main" && Covered(modPath, p.ImportPath) {
			targets = append(targets, p.ImportPath)
		}
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("no package of %s to record", modPath)
	}
	deps, err := goList(dir, append([]string{"-export", "-deps"}, targets...)...)
	if err != nil {
		return nil, err
	}
	exports := make(map[string]string, len(deps))
	for _, p := range deps {
		if p.Error != nil {
			return nil, fmt.Errorf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		exports[p.ImportPath] = p.Export
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	slices.Sort(targets)
	pkgs := make([]*types.Package, 0, len(targets))
	for _, path := range targets {
		pkg, err := imp.Import(path)
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", path, err)
		}
		pkgs = append(pkgs, pkg)
	}
	return pkgs, nil
}

// goList runs go list -e -json with args in dir and decodes its stream of packages.
func goList(dir string, args ...string) ([]listedPackage, error) {
	out, err := goCmd(dir, append([]string{"list", "-e", "-json=ImportPath,Name,Export,Module,Error"}, args...)...)
	if err != nil {
		return nil, err
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

func goCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return string(out), nil
}
