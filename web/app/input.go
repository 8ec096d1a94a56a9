package app

import "strings"

// Key is what a key press means on the page, decided from the key and the
// element it was pressed on: the shortcuts must not steal keys from a text
// field, nor space from a button (which it activates), nor work behind an
// open dialog or on a tab the session is not shown on.
type Key int

const (
	KeyNone    Key = iota
	KeyStep        // →
	KeyBack        // ←
	KeyPlay        // space
	KeyReset       // Home
	KeyEnd         // End
	KeyTabNext     // → on a tab
	KeyTabPrev     // ← on a tab
	KeySend        // Enter in the terminal's input
	KeyToken       // Enter in the fault panel's token field
)

// KeyFor maps a keydown. key is KeyboardEvent.key; tag is the target's
// tagName, id its id, role its role attribute; inDialog is set when the
// target is inside a <dialog>; mod when Ctrl, Alt or Meta is held.
func (m *Model) KeyFor(key, tag, id, role string, inDialog, mod bool) Key {
	if mod || inDialog {
		return KeyNone
	}
	tag = strings.ToUpper(tag)
	if id == "term-input" && key == "Enter" {
		return KeySend
	}
	if id == "live-token-input" && key == "Enter" {
		return KeyToken
	}
	switch tag {
	case "INPUT", "TEXTAREA", "SELECT":
		return KeyNone
	}
	if role == "tab" {
		switch key {
		case "ArrowRight":
			return KeyTabNext
		case "ArrowLeft":
			return KeyTabPrev
		}
	}
	live := m.st.Tab == TabLive && m.live.available
	if m.st.Tab != TabSession && !live {
		return KeyNone
	}
	switch key {
	case "ArrowRight":
		return KeyStep
	case "ArrowLeft":
		return KeyBack
	case "Home":
		return KeyReset
	case "End":
		return KeyEnd
	case " ", "Spacebar":
		if live || tag == "BUTTON" || tag == "A" || tag == "SUMMARY" {
			return KeyNone // the browser activates it
		}
		return KeyPlay
	}
	return KeyNone
}

// NextTab is the tab after (or, with back, before) the one shown.
func (m *Model) NextTab(back bool) string {
	tabs := []string{TabSession, TabTerminal, TabEditor}
	if m.live.available {
		tabs = append(tabs, TabLive)
	}
	i := 0
	for j, t := range tabs {
		if t == m.st.Tab {
			i = j
		}
	}
	if back {
		i += len(tabs) - 1
	} else {
		i++
	}
	return tabs[i%len(tabs)]
}

// LineOffsets returns where line (1-based) starts and ends in text, in
// UTF-16 code units as a textarea's setSelectionRange counts them, and
// the offset of column col on it.
func LineOffsets(text string, line, col int) (start, end, at int) {
	lines := strings.Split(text, "\n")
	line = max(1, min(line, len(lines)))
	for i := 0; i < line-1; i++ {
		start += utf16Len(lines[i]) + 1
	}
	l := lines[line-1]
	end = start + utf16Len(l)
	at = start
	n := 0
	for _, r := range l {
		if n >= col-1 {
			break
		}
		at += utf16Len(string(r))
		n++
	}
	return start, end, at
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
