package apisnapshot

import (
	"fmt"
	"go/types"
	"slices"
	"strings"
)

// Lines returns the exported API of pkg, sorted, one line per identifier, field and method:
//
//	pkg example.com/m/p, func New(string, ...Option) (*Server, error)
//	pkg example.com/m/p, method (*Server) Stop()
//	pkg example.com/m/p, type Server struct
//	pkg example.com/m/p, type Server struct, Name string
//
// Types of other packages are named by their full import path; parameter names are left
// out, as renaming one changes no caller.
func Lines(pkg *types.Package) []string {
	w := writer{pkg: pkg}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			w.add("const %s %s = %s", name, w.typ(obj.Type()), obj.Val().ExactString())
		case *types.Var:
			w.add("var %s %s", name, w.typ(obj.Type()))
		case *types.Func:
			sig := obj.Type().(*types.Signature)
			w.add("func %s%s%s", name, w.typeParams(sig.TypeParams()), w.signature(sig))
		case *types.TypeName:
			w.typeName(obj)
		}
	}
	slices.Sort(w.lines)
	return w.lines
}

type writer struct {
	pkg   *types.Package
	lines []string
}

func (w *writer) add(format string, args ...any) {
	w.lines = append(w.lines, "pkg "+w.pkg.Path()+", "+fmt.Sprintf(format, args...))
}

// qualify names a type of another package by its import path, and one of pkg by its name alone.
func (w *writer) qualify(p *types.Package) string {
	if p == w.pkg {
		return ""
	}
	return p.Path()
}

func (w *writer) typ(t types.Type) string { return types.TypeString(t, w.qualify) }

func (w *writer) typeName(obj *types.TypeName) {
	name := obj.Name()
	if obj.IsAlias() {
		w.add("type %s = %s", name, w.typ(types.Unalias(obj.Type())))
		return
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		w.add("type %s %s", name, w.typ(obj.Type().Underlying()))
		return
	}
	decl := "type " + name + w.typeParams(named.TypeParams())
	switch u := named.Underlying().(type) {
	case *types.Struct:
		w.add("%s struct", decl)
		for f := range u.Fields() {
			switch {
			case f.Embedded() && f.Exported():
				w.add("%s struct, embedded %s", decl, w.typ(f.Type()))
			case f.Exported():
				w.add("%s struct, %s %s", decl, f.Name(), w.typ(f.Type()))
			}
		}
	case *types.Interface:
		var names []string
		for m := range u.Methods() {
			if m.Exported() {
				names = append(names, m.Name())
				w.add("%s interface, %s%s", decl, m.Name(), w.signature(m.Type().(*types.Signature)))
			} else if !slices.Contains(names, "unexported methods") {
				names = append(names, "unexported methods")
			}
		}
		w.add("%s interface { %s }", decl, strings.Join(names, ", "))
	case *types.Signature:
		w.add("%s func%s", decl, w.signature(u))
	default:
		w.add("%s %s", decl, w.typ(u))
	}
	for m := range named.Methods() {
		if !m.Exported() {
			continue
		}
		sig := m.Type().(*types.Signature)
		recv := name
		if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
			recv = "*" + name
		}
		w.add("method (%s) %s%s", recv, m.Name(), w.signature(sig))
	}
}

func (w *writer) typeParams(tps *types.TypeParamList) string {
	if tps.Len() == 0 {
		return ""
	}
	var parts []string
	for tp := range tps.TypeParams() {
		parts = append(parts, tp.Obj().Name()+" "+w.typ(tp.Constraint()))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// signature is sig's parameters and results, without their names.
func (w *writer) signature(sig *types.Signature) string {
	params := w.tuple(sig.Params(), sig.Variadic())
	switch res := sig.Results(); res.Len() {
	case 0:
		return "(" + params + ")"
	case 1:
		return "(" + params + ") " + w.typ(res.At(0).Type())
	default:
		return "(" + params + ") (" + w.tuple(res, false) + ")"
	}
}

func (w *writer) tuple(t *types.Tuple, variadic bool) string {
	parts := make([]string, t.Len())
	for i := range t.Len() {
		typ := t.At(i).Type()
		if variadic && i == t.Len()-1 {
			parts[i] = "..." + w.typ(typ.(*types.Slice).Elem())
		} else {
			parts[i] = w.typ(typ)
		}
	}
	return strings.Join(parts, ", ")
}
