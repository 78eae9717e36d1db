package docsnippets

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
)

// Kind is how a block is compiled (see the package documentation).
type Kind string

const (
	WholeFile    Kind = "file"         // starts with a package clause: compiled as it is
	Declarations Kind = "declarations" // starts with func or type: the body of a file
	Statements   Kind = "statements"   // anything else: the body of a function
)

// KindOf says how b is compiled, from its first line that is neither blank nor a comment.
func KindOf(b Block) Kind {
	for line := range strings.Lines(b.Code) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "//"):
			continue
		case strings.HasPrefix(line, "package "):
			return WholeFile
		case strings.HasPrefix(line, "func ") || strings.HasPrefix(line, "type "):
			return Declarations
		}
		return Statements
	}
	return Statements
}

// Source returns the Go file that compiles b in package pkg. given are the names that
// testdata/given.go declares, which the file's package also holds (except for a whole file).
// It fails when b names a package that Packages does not list, or uses a name that neither
// b, given nor the universe declares.
func Source(b Block, pkg string, given []string) ([]byte, error) {
	kind := KindOf(b)
	lineDirective := fmt.Sprintf("//line %s:%d\n", b.File, b.Line)
	if kind == WholeFile {
		return []byte(lineDirective + b.Code), nil
	}
	code, imports := liftImports(b.Code)
	var body string
	switch kind {
	case Declarations:
		body = lineDirective + code
	default:
		body = "func snippet() error {\n\t{\n" + lineDirective + code + "\n"
	}
	// Parse once to learn the names the code leaves unresolved and, for statements, the
	// variables it declares.
	f, err := parser.ParseFile(token.NewFileSet(), "snippet.go", "package p\n"+body+closeStatements(kind, nil), parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	used, err := packagesUsed(f, given)
	if err != nil {
		return nil, err
	}
	imports = append(imports, used...)
	slices.Sort(imports)
	imports = slices.Compact(imports)

	var out strings.Builder
	fmt.Fprintf(&out, "package %s\n\nimport (\n", pkg)
	for _, imp := range imports {
		fmt.Fprintf(&out, "\t%s\n", imp)
	}
	out.WriteString(")\n\n")
	out.WriteString(body)
	out.WriteString(closeStatements(kind, declaredVariables(f)))
	return []byte(out.String()), nil
}

// closeStatements ends the function that wraps a statements block, using each of vars.
func closeStatements(kind Kind, vars []string) string {
	if kind != Statements {
		return ""
	}
	var s strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&s, "\t\t_ = %s\n", v)
	}
	s.WriteString("\t}\n\treturn nil\n}\n")
	return s.String()
}

// liftImports removes the import declarations (one per line) that start code, and returns
// them as import specs.
func liftImports(code string) (rest string, imports []string) {
	var kept strings.Builder
	leading := true
	for line := range strings.Lines(code) {
		trimmed := strings.TrimSpace(line)
		if leading {
			if spec, ok := strings.CutPrefix(trimmed, "import "); ok {
				if i := strings.Index(spec, "//"); i >= 0 {
					spec = strings.TrimSpace(spec[:i])
				}
				imports = append(imports, spec)
				kept.WriteString("\n") // keep the line numbers
				continue
			}
			leading = trimmed == "" || strings.HasPrefix(trimmed, "//")
		}
		kept.WriteString(line)
	}
	return kept.String(), imports
}

// packagesUsed returns the import specs of the packages f names, through Packages. A name
// used as pkg.X that f does not declare must be a package of Packages or one of given.
func packagesUsed(f *ast.File, given []string) ([]string, error) {
	declared := map[string]bool{}
	for _, name := range given {
		declared[name] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok {
						declared[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				declared[id.Name] = true
			}
		case *ast.FuncDecl:
			declared[n.Name.Name] = true
			for _, fl := range []*ast.FieldList{n.Recv, n.Type.Params, n.Type.Results} {
				declareFields(declared, fl)
			}
		case *ast.FuncLit:
			declareFields(declared, n.Type.Params)
		case *ast.TypeSpec:
			declared[n.Name.Name] = true
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok {
					declared[id.Name] = true
				}
			}
		}
		return true
	})
	var specs []string
	var unknown []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok || declared[id.Name] {
			return true
		}
		path, ok := Packages[id.Name]
		if !ok {
			unknown = append(unknown, id.Name)
			return true
		}
		specs = append(specs, fmt.Sprintf("%s %q", id.Name, path))
		return true
	})
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("names %v are neither declared by the block, nor in testdata/given.go, nor packages listed in names.go", slices.Compact(unknown))
	}
	return specs, nil
}

func declareFields(declared map[string]bool, fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, field := range fl.List {
		for _, id := range field.Names {
			declared[id.Name] = true
		}
	}
}

// declaredVariables are the variables a statements block declares at its top level, which
// the wrapper then uses.
func declaredVariables(f *ast.File) []string {
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "snippet" || len(fn.Body.List) == 0 {
			continue
		}
		block, ok := fn.Body.List[0].(*ast.BlockStmt)
		if !ok {
			continue
		}
		for _, stmt := range block.List {
			switch s := stmt.(type) {
			case *ast.AssignStmt:
				if s.Tok != token.DEFINE {
					continue
				}
				for _, lhs := range s.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Name != "_" {
						names = append(names, id.Name)
					}
				}
			case *ast.DeclStmt:
				if gd, ok := s.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
					for _, spec := range gd.Specs {
						for _, id := range spec.(*ast.ValueSpec).Names {
							if id.Name != "_" {
								names = append(names, id.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
