//go:build js && wasm

package main

import (
	"errors"

	"github.com/hack-pad/safejs"
)

// Small helpers over safejs. Every call into JavaScript goes through
// safejs, which turns a JavaScript exception (or a wrong type) into an
// error instead of a panic; these helpers fold the errors of a chain of
// calls into one, so the callers stay readable.

// js is a JavaScript value and the first error met on the way to it.
type js struct {
	v   safejs.Value
	err error
}

func wrap(v safejs.Value) js { return js{v: v} }

func global() js { return wrap(safejs.Global()) }

// get reads a property.
func (j js) get(name string) js {
	if j.err != nil {
		return j
	}
	if j.v.IsUndefined() || j.v.IsNull() {
		return js{err: errors.New("reading " + name + " of null")}
	}
	v, err := j.v.Get(name)
	return js{v: v, err: err}
}

// call calls a method.
func (j js) call(name string, args ...any) js {
	if j.err != nil {
		return j
	}
	if j.v.IsUndefined() || j.v.IsNull() {
		return js{err: errors.New("calling " + name + " of null")}
	}
	v, err := j.v.Call(name, args...)
	return js{v: v, err: err}
}

// set writes a property.
func (j js) set(name string, x any) error {
	if j.err != nil {
		return j.err
	}
	if j.v.IsUndefined() || j.v.IsNull() {
		return errors.New("setting " + name + " of null")
	}
	return j.v.Set(name, x)
}

// new calls a constructor.
func (j js) new(args ...any) js {
	if j.err != nil {
		return j
	}
	v, err := j.v.New(args...)
	return js{v: v, err: err}
}

// ok reports whether the value exists (no error, not null or undefined).
func (j js) ok() bool { return j.err == nil && !j.v.IsNull() && !j.v.IsUndefined() }

// str is the value as a Go string ("" if it is not one).
func (j js) str() string {
	if !j.ok() || j.v.Type() != safejs.TypeString {
		return ""
	}
	s, _ := j.v.String()
	return s
}

// bool is the value's truthiness.
func (j js) bool() bool {
	if !j.ok() {
		return false
	}
	b, _ := j.v.Truthy()
	return b
}

// float is the value as a number (0 if it is not one).
func (j js) float() float64 {
	if !j.ok() || j.v.Type() != safejs.TypeNumber {
		return 0
	}
	f, _ := j.v.Float()
	return f
}

// attr reads an attribute of an element ("" if absent).
func (j js) attr(name string) string { return j.call("getAttribute", name).str() }

// object makes a plain JavaScript object.
func object(props map[string]any) js {
	v, err := safejs.ValueOf(props)
	return js{v: v, err: err}
}

// callback makes a JavaScript function of fn. once releases it after its
// first call (promise handlers, timers).
func callback(once bool, fn func(args []safejs.Value) any) safejs.Value {
	var f safejs.Func
	var err error
	f, err = safejs.FuncOf(func(this safejs.Value, args []safejs.Value) any {
		out := fn(args)
		if once {
			f.Release()
		}
		return out
	})
	if err != nil {
		return safejs.Undefined()
	}
	return f.Value()
}
