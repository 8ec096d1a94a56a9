package app

import (
	"slices"
	"strconv"
	"strings"

	"maillab/sim/trace"
	"maillab/web/view"
)

// livePatches repaint the Live tab: only while it is shown (updates of
// sessions nobody looks at cost nothing); SetTab marks it all dirty when
// it is shown again.
func (m *Model) livePatches(d int) []Patch {
	if m.st.Tab != TabLive || !m.live.available {
		return nil
	}
	lang := m.st.Lang
	var p []Patch
	set := func(id, attr, v string) { p = append(p, Patch{ID: id, Attr: attr, Value: v}) }
	if d&dLiveList != 0 {
		set("live-status", Text, view.T(lang, map[int]string{streamOff: "live.connecting", streamConnecting: "live.connecting",
			streamOpen: "live.connected", streamLost: "live.lost"}[m.live.stream]))
		set("live-follow", "aria-pressed", strconv.FormatBool(m.live.follow))
		set("live-sessions", HTML, m.liveListHTML())
	}
	if d&dLiveFaults != 0 {
		set("live-faults", HTML, m.liveFaultsHTML())
	}
	if d&dLiveView != 0 {
		p = append(p, m.liveViewPatches()...)
	}
	return p
}

// liveListHTML lists the sessions, newest first: protocol, client, start
// time, live or ended; the one on screen is pressed.
func (m *Model) liveListHTML() string {
	lang := m.st.Lang
	l := &m.live
	if len(l.sessions) == 0 {
		return `<p class="hint">` + esc(view.T(lang, "live.none")) + "</p>"
	}
	var b strings.Builder
	b.WriteString(`<ul class="live-sessions">`)
	for i := len(l.sessions) - 1; i >= 0; i-- {
		s := l.sessions[i]
		proto := strings.ToUpper(s.Proto)
		if s.TLS {
			proto += "S"
		}
		state, class := view.T(lang, "live.ended"), "ended"
		if s.Live {
			state, class = view.T(lang, "live.live"), "live"
		}
		at := s.Start.Local()
		label := view.Tf(lang, "live.item", "n", strconv.Itoa(s.ID), "proto", proto, "client", s.Client, "time", at.Format("15:04:05"))
		b.WriteString(`<li><button type="button" data-action="live-open" data-id="` + strconv.Itoa(s.ID) + `" aria-pressed="` +
			strconv.FormatBool(s.ID == l.open) + `">` + esc(label) + ` <span class="live-state ` + class + `">` + esc(state) + "</span>")
		if s.Drops > 0 {
			b.WriteString(` <span class="hint">` + esc(view.Tf(lang, "live.dropped", "n", strconv.Itoa(s.Drops))) + "</span>")
		}
		b.WriteString("</button></li>")
	}
	b.WriteString("</ul>")
	return b.String()
}

// liveViewPatches draw the session on screen with the simulation's views,
// up to the cursor: every line as it arrives while following the newest,
// or where the arrow keys took it (LiveStep).
func (m *Model) liveViewPatches() []Patch {
	lang := m.st.Lang
	l := &m.live
	var p []Patch
	set := func(id, attr, v string) { p = append(p, Patch{ID: id, Attr: attr, Value: v}) }
	tr := l.tr
	if tr == nil {
		hint := "live.pick"
		switch {
		case l.gone:
			hint = "live.gone"
		case l.open != 0:
			hint = "live.loading"
		}
		set("live-title", Text, "")
		set("live-pos", HTML, "")
		set("live-seq", HTML, `<p class="hint">`+esc(view.T(lang, hint))+"</p>")
		for _, id := range []string{"live-transcript", "live-envelope", "live-log", "live-state-client", "live-state-server"} {
			set(id, HTML, "")
		}
		l.drawn = nil
		return p
	}
	if l.drawn != tr || m.liveSeq == nil || m.liveSeq.Lang() != lang {
		m.liveSeq, m.liveTr = view.NewSequenceFrom(m.liveSeq, tr, lang), view.NewTranscriptFrom(m.liveTr, tr, lang)
		l.drawn = tr
	}
	cur := l.at(tr)
	set("live-pos", HTML, m.livePosHTML(len(tr.Steps), cur))
	title := ""
	if info, ok := l.info(l.open); ok {
		title = view.Tf(lang, "live.title", "n", strconv.Itoa(info.ID), "proto", strings.ToUpper(info.Proto), "client", info.Client, "server", info.Server)
		if info.Live {
			title += " · " + view.T(lang, "live.live")
		} else {
			title += " · " + view.T(lang, "live.ended")
		}
	}
	if slices.ContainsFunc(tr.Steps, func(s trace.Step) bool { return s.Masked }) {
		title += " · " + view.T(lang, "live.masked") // the server masked them (serve --show-secrets)
	}
	set("live-title", Text, title)
	p = append(p, Patch{ID: "live-seq", Attr: HTML, Lines: m.liveSeq.Lines(cur)})
	p = append(p, Patch{ID: "live-transcript", Attr: HTML, Lines: m.liveTr.Lines(cur)})
	set("live-envelope", HTML, view.Envelope(tr, cur, lang))
	set("live-log", HTML, view.ServerLog(tr, cur, lang))
	client, server := m.stateDiagramsFor(tr, cur, "")
	set("live-state-client", HTML, client)
	set("live-state-server", HTML, server)
	return p
}

// livePosHTML is the stepping bar of the open session: first, back,
// forward, follow, and where the cursor is.
func (m *Model) livePosHTML(total, cur int) string {
	lang := m.st.Lang
	following := !m.live.pinned
	var b strings.Builder
	b.WriteString(`<span class="live-step">`)
	for _, btn := range []struct{ action, label, glyph string }{
		{"live-first", "live.first", "⏮"}, {"live-back", "live.back", "◀"}, {"live-forward", "live.forward", "▶"}, {"live-last", "live.last", "⏭"},
	} {
		b.WriteString(`<button type="button" data-action="` + btn.action + `" title="` + esc(view.T(lang, btn.label)) + `" aria-label="` + esc(view.T(lang, btn.label)) + `">` + btn.glyph + "</button>")
	}
	b.WriteString("</span> ")
	key := "live.pos"
	if following {
		key = "live.posFollow"
	}
	b.WriteString(`<span role="status">` + esc(view.Tf(lang, key, "n", strconv.Itoa(cur+1), "total", strconv.Itoa(total))) + "</span>")
	return b.String()
}

// liveFaultsHTML is the fault panel of the real servers: the quick rules,
// the rules in force, each with a remove button, and the last refusal.
func (m *Model) liveFaultsHTML() string {
	lang := m.st.Lang
	l := &m.live
	var b strings.Builder
	if l.rulesMsg != nil {
		b.WriteString(`<p class="load-error" role="alert">` + esc(m.text(l.rulesMsg)) + "</p>\n")
	}
	if l.forbidden {
		b.WriteString(`<p class="hint">` + esc(view.T(lang, "live.forbidden")) + "</p>\n")
		b.WriteString(`<p class="live-token"><label for="live-token-input">` + esc(view.T(lang, "live.tokenLabel")) + `</label> ` +
			`<input id="live-token-input" type="password" autocomplete="off" spellcheck="false"> ` +
			`<button type="button" data-action="live-token">` + esc(view.T(lang, "live.tokenUse")) + "</button></p>\n")
		return b.String()
	}
	if !l.rulesOK {
		return b.String()
	}
	b.WriteString(`<p class="hint">` + esc(view.T(lang, "live.faultsHint")) + "</p>\n")
	b.WriteString(`<div class="fault-choices live-quick">`)
	for _, q := range liveQuickOrder {
		b.WriteString(`<button type="button" data-action="live-quick" data-quick="` + q.name + `">` + esc(view.T(lang, q.label)) + "</button>")
	}
	b.WriteString("</div>\n")
	if len(l.rules) == 0 {
		b.WriteString(`<p class="hint">` + esc(view.T(lang, "live.noRules")) + "</p>\n")
		return b.String()
	}
	b.WriteString("<p>" + esc(view.T(lang, "live.rules")) + "</p>\n<ul class=\"live-rules\">\n")
	for _, r := range l.rules {
		rule := r.When + userNote(r.User, lang) + " → " + r.Then
		if r.Nth > 0 {
			rule += " (nth: " + strconv.Itoa(r.Nth) + ")"
		}
		if r.Times > 0 {
			rule += " (times: " + strconv.Itoa(r.Times) + ")"
		}
		cls := ""
		if r.UsedUp() {
			cls = ` class="used-up"`
		}
		b.WriteString("<li" + cls + "><span><code>" + esc(view.Tf(lang, "live.ruleN", "n", strconv.Itoa(r.N))) + " " + esc(rule) + "</code>")
		if r.Server != "" {
			b.WriteString(` <span class="hint">` + esc(view.Tf(lang, "faults.at", "server", r.Server)) + "</span>")
		}
		switch {
		case r.UsedUp():
			b.WriteString(` <span class="hint">` + esc(view.Tf(lang, "live.usedUp", "n", strconv.Itoa(r.Fired))) + "</span>")
		case r.Fired > 0:
			b.WriteString(` <span class="hint">` + esc(view.Tf(lang, "live.fired", "n", strconv.Itoa(r.Fired))) + "</span>")
		default:
			b.WriteString(` <span class="hint">` + esc(view.T(lang, "live.notFired")) + "</span>")
		}
		b.WriteString(`</span><button type="button" data-action="live-remove-fault" data-n="` + strconv.Itoa(r.N) + `" aria-label="` +
			esc(view.Tf(lang, "faults.remove", "rule", rule)) + `">` + esc(view.T(lang, "faults.removeBtn")) + "</button></li>\n")
	}
	b.WriteString("</ul>\n")
	return b.String()
}
