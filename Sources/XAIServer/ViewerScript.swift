/// The viewer's script: experiments and their runs (pinned and unpinned from the page), the
/// filtered and paginated grid, the full-size view (opacity, colormap, the map's value under the
/// pointer from its `.npy`), pinned views, diffs and the explain form built from
/// `GET /api/methods`, for an upload or an image of the open experiment. Text always goes in
/// through `textContent`.
enum ViewerScript {
    /// The whole script: `core` (experiments, runs, diffs, grid, full-size view), then `explainAndWiring`.
    static let source = core + "\n\n" + explainAndWiring

    static let core = #"""
    "use strict";
    const $ = (id) => document.getElementById(id);
    const PAGE_ROWS = 20;
    const S = { exp: null, manifest: null, page: 0, pins: [], current: null, catalogue: null, file: null };

    function el(tag, attrs, ...children) {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) {
        if (k === "onclick") e.addEventListener("click", v); else e.setAttribute(k, v);
      }
      for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
      return e;
    }
    function status(text, error) { const s = $("status"); s.textContent = text; s.className = error ? "error" : ""; }
    async function answer(r) {
      const body = await r.json().catch(() => ({ error: r.statusText }));
      if (!r.ok) throw new Error(body.error || r.statusText);
      return body;
    }
    async function getJSON(url) { return answer(await fetch(url)); }
    // State-changing requests carry a JSON or multipart body (the server refuses anything else).
    async function post(url, body) {
      const json = !(body instanceof FormData);
      return answer(await fetch(url, { method: "POST", body: json ? JSON.stringify(body) : body,
        headers: json ? { "Content-Type": "application/json" } : {} }));
    }
    function fileURL(exp, path) {
      return "/files/" + encodeURIComponent(exp) + "/" + path.split("/").map(encodeURIComponent).join("/");
    }
    function fmt(v) { return typeof v === "number" ? (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.001) ? v.toExponential(2) : v.toFixed(3)) : String(v); }

    // ---- experiments and runs
    async function loadExperiments() {
      const list = await getJSON("/api/experiments");
      const ul = $("experiments");
      ul.replaceChildren();
      for (const x of list) {
        const li = el("li", {}, el("button", { type: "button", onclick: () => openExperiment(x.name) },
          x.name + " (" + x.images + " images, " + x.results + ")"));
        if (x.gallery) li.append(" ", el("a", { href: x.gallery }, "gallery"));
        ul.append(li);
      }
      if (!list.length) ul.append(el("li", { class: "hint" }, "No experiments yet: run `xai run FILE`."));
    }

    async function openExperiment(name) {
      try {
        S.manifest = await getJSON("/api/experiments/" + encodeURIComponent(name));
        S.exp = name; S.page = 0;
        $("grid-title").textContent = name;
        $("grid-section").hidden = false;
        fillFilters();
        fillImageChoice();
        renderGrid();
        await loadRuns();
      } catch (e) { status(e.message, true); }
    }

    async function loadRuns() {
      renderRuns(await getJSON("/api/experiments/" + encodeURIComponent(S.exp) + "/runs"));
    }
    function renderRuns(runs) {
      const box = $("runs");
      box.replaceChildren();
      if (!runs.length) { box.append(el("p", { class: "hint" }, "No recorded runs.")); return; }
      const label = (r) => r.id + (r.overrides.length ? " " + r.overrides.join(" ") : "") + (r.gitRevision ? " @" + r.gitRevision.slice(0, 7) : "");
      // Pinned runs keep their results through `xai gc`, as with `xai runs pin ID`.
      box.append(el("ul", { id: "run-list" }, ...runs.map((r) => el("li", { "data-run": r.id, class: r.pinned ? "pinned" : "" },
        label(r) + " ", el("button", { type: "button", class: "pin-run", "data-run": r.id, "aria-pressed": String(r.pinned),
          onclick: () => setPinned(r.id, !r.pinned) }, r.pinned ? "unpin" : "pin")))));
      const a = el("select", { id: "diff-a" }), b = el("select", { id: "diff-b" });
      for (const r of runs) { a.append(el("option", { value: r.id }, label(r))); b.append(el("option", { value: r.id }, label(r))); }
      if (runs.length > 1) a.selectedIndex = 1;
      box.append(el("label", {}, "A ", a), el("br"), el("label", {}, "B ", b), el("br"),
        el("button", { type: "button", id: "diff-button", onclick: () => showDiff(a.value, b.value) }, "Diff A and B"));
    }
    async function setPinned(id, pinned) {
      try {
        await post("/api/runs/" + encodeURIComponent(id) + "/pin", { pinned });
        status((pinned ? "pinned run " : "unpinned run ") + id);
        await loadRuns();
      } catch (e) { status(e.message, true); }
    }

    // A table cell with a rounded number; the exact value stays in `data-value`.
    function number(v, name) {
      return v == null ? el("td", {}) : el("td", { class: name, "data-value": String(v) }, fmt(v));
    }
    async function showDiff(a, b) {
      status("computing diff " + a + " .. " + b);
      try {
        const d = await getJSON("/api/diff?a=" + encodeURIComponent(a) + "&b=" + encodeURIComponent(b));
        $("diff").hidden = false;
        $("diff-title").textContent = "Diff " + d.a + " .. " + d.b;
        $("diff-links").replaceChildren(el("a", { href: d.html }, "diff.html"), " ",
          el("a", { href: d.base + "diff.csv" }, "diff.csv"), " ", el("a", { href: d.base + "diff.json" }, "diff.json"));
        const head = $("diff-table").tHead, body = $("diff-table").tBodies[0];
        head.replaceChildren(el("tr", {}, ...["image", "run", "rank", "Spearman", "IoU", "A", "B", "B - A", "metrics", "note"].map((t) => el("th", {}, t))));
        body.replaceChildren();
        for (const p of d.diff.pairs || []) {
          const pic = (k) => p.pictures && p.pictures[k] ? el("img", { src: d.base + p.pictures[k], alt: k }) : "";
          const metrics = Object.entries(p.metrics || {}).map(([k, m]) => k + ": " + fmt(m.a) + " -> " + fmt(m.b)).join("; ");
          body.append(el("tr", {}, el("td", {}, p.image), el("td", {}, p.run), el("td", {}, p.rank),
            number(p.spearman, "spearman"), number(p.iou, "iou"),
            el("td", {}, pic("overlayA")), el("td", {}, pic("overlayB")), el("td", {}, pic("difference")),
            el("td", {}, metrics), el("td", {}, p.note || "")));
        }
        status("");
      } catch (e) { status(e.message, true); }
    }

    // ---- grid
    const column = (r) => (S.manifest.models.length > 1 ? r.model + " / " : "") + r.run + (r.target.rank > 1 ? " #" + r.target.rank : "");
    function options(select, values) {
      select.replaceChildren(el("option", { value: "" }, "(all)"), ...values.map((v) => el("option", { value: v }, v)));
    }
    function fillFilters() {
      const rs = S.manifest.results;
      options($("f-model"), [...new Set(rs.map((r) => r.model))]);
      options($("f-method"), [...new Set(rs.map((r) => r.method))]);
      options($("f-metric"), [...new Set(rs.flatMap((r) => Object.keys(r.metrics || {})))]);
    }
    function visibleResults() {
      const f = (id) => $(id).value.trim().toLowerCase();
      const img = f("f-image"), cls = f("f-class"), model = $("f-model").value, method = $("f-method").value, sweep = f("f-sweep");
      const metric = $("f-metric").value, lo = parseFloat($("f-min").value), hi = parseFloat($("f-max").value);
      return S.manifest.results.filter((r) => {
        if (img && !r.image.toLowerCase().includes(img)) return false;
        if (cls && !r.target.label.toLowerCase().includes(cls)) return false;
        if (model && r.model !== model) return false;
        if (method && r.method !== method) return false;
        if (sweep && !Object.values(r.sweep || {}).map(String).some((v) => v.toLowerCase() === sweep)) return false;
        if (metric) {
          const m = r.metrics && r.metrics[metric];
          if (!m) return false;
          if (!isNaN(lo) && m.value < lo) return false;
          if (!isNaN(hi) && m.value > hi) return false;
        }
        return true;
      });
    }
    function renderGrid() {
      const rs = visibleResults(), metric = $("f-metric").value;
      const cols = [...new Set(rs.map(column))];
      const rows = new Map();
      for (const r of rs) { if (!rows.has(r.image)) rows.set(r.image, new Map()); rows.get(r.image).set(column(r), r); }
      let images = [...rows.keys()];
      if ($("f-sort").checked && metric) {
        const score = (i) => { const v = [...rows.get(i).values()].map((r) => r.metrics[metric].value); return v.reduce((a, b) => a + b, 0) / v.length; };
        const sign = $("f-desc").checked ? -1 : 1;
        images.sort((a, b) => sign * (score(a) - score(b)));
      }
      const pages = Math.max(1, Math.ceil(images.length / PAGE_ROWS));
      S.page = Math.min(S.page, pages - 1);
      $("page").textContent = " page " + (S.page + 1) + " of " + pages + " (" + images.length + " images, " + rs.length + " explanations) ";
      const table = $("grid");
      table.tHead.replaceChildren(el("tr", {}, el("th", {}, "image"), ...cols.map((c) => el("th", {}, c))));
      const body = table.tBodies[0];
      body.replaceChildren();
      const input = (id) => { const i = S.manifest.images.find((x) => x.id === id); return i ? Object.values(i.inputs)[0] : null; };
      for (const id of images.slice(S.page * PAGE_ROWS, (S.page + 1) * PAGE_ROWS)) {
        const src = input(id);
        const first = el("td", {}, id, el("br"), el("button", { type: "button", class: "explain-image", onclick: () => pickImage(id) }, "explain..."));
        if (src) first.prepend(el("img", { src: fileURL(S.exp, src), alt: id, loading: "lazy" }));
        const tr = el("tr", { "data-image": id }, first);
        for (const c of cols) {
          const r = rows.get(id).get(c);
          const td = el("td", {});
          if (r) {
            td.append(el("img", { src: fileURL(S.exp, r.overlay || src), alt: c, loading: "lazy", title: r.target.label, onclick: () => openDetail(S.exp, S.manifest, r) }));
            if (metric && r.metrics[metric]) td.append(el("div", { class: "metric" }, metric + " " + fmt(r.metrics[metric].value)));
          }
          tr.append(td);
        }
        body.append(tr);
      }
    }

    // ---- full-size view
    function parseNPY(buf) {
      const b = new Uint8Array(buf);
      if (b[0] !== 0x93 || String.fromCharCode(...b.slice(1, 6)) !== "NUMPY") throw new Error("not an .npy file");
      const v2 = b[6] >= 2, len = v2 ? new DataView(buf).getUint32(8, true) : new DataView(buf).getUint16(8, true);
      const start = (v2 ? 12 : 10), header = new TextDecoder().decode(b.slice(start, start + len));
      if (!/'descr':\s*'<f4'/.test(header)) throw new Error("only little-endian float32 maps are shown");
      const shape = (header.match(/'shape':\s*\(([^)]*)\)/)[1].match(/\d+/g) || []).map(Number);
      return { shape, data: new Float32Array(buf.slice(start + len)) };
    }
    const COLORMAPS = {
      jet: (t) => [Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 3))), Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 2))), Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 1)))],
      viridis: (t) => [0.267 + t * (0.993 - 0.267) * t, 0.005 + t * 0.9, 0.329 + Math.sin(Math.PI * t) * 0.3 - t * 0.2],
      gray: (t) => [t, t, t],
      diverging: (t) => t < 0.5 ? [2 * t, 2 * t, 1] : [1, 2 - 2 * t, 2 - 2 * t],
    };
    async function loadImage(url) {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img;
    }
    async function openDetail(exp, manifest, r) {
      const image = manifest.images.find((i) => i.id === r.image);
      const input = image && image.inputs[r.model];
      S.current = { exp, r, title: r.image + " / " + column(r) + " -> " + r.target.label + " (" + fmt(r.target.probability) + ")",
        base: input ? await loadImage(fileURL(exp, input)) : null,
        overlay: r.overlay ? await loadImage(fileURL(exp, r.overlay)) : null, npy: null };
      try { S.current.npy = parseNPY(await (await fetch(fileURL(exp, r.map))).arrayBuffer()); } catch (e) { status("map: " + e.message, true); }
      $("detail").hidden = false;
      $("detail-title").textContent = S.current.title;
      drawDetail();
      $("detail").scrollIntoView();
    }
    function drawDetail() {
      const c = S.current; if (!c) return;
      const canvas = $("canvas"), ctx = canvas.getContext("2d");
      const shape = c.npy ? c.npy.shape : [224, 224];
      const h = shape[shape.length - 2], w = shape[shape.length - 1];
      canvas.width = w; canvas.height = h;
      canvas.style.width = Math.max(448, w * 2) + "px";
      const alpha = parseFloat($("opacity").value), cmap = $("colormap").value;
      ctx.globalAlpha = 1;
      if (c.base) ctx.drawImage(c.base, 0, 0, w, h); else ctx.clearRect(0, 0, w, h);
      if (cmap === "as rendered" || !c.npy) {
        // The rendered overlay already blends the map over the input at the experiment's alpha.
        if (c.overlay) { ctx.globalAlpha = alpha / 0.5 > 1 ? 1 : alpha / 0.5; ctx.drawImage(c.overlay, 0, 0, w, h); }
        return;
      }
      const s = c.r.scale || { lo: 0, hi: 1, signed: false }, f = COLORMAPS[cmap], m = c.npy.data;
      const px = ctx.createImageData(w, h), span = s.signed ? Math.max(Math.abs(s.lo), Math.abs(s.hi)) || 1 : (s.hi - s.lo) || 1;
      for (let i = 0; i < w * h; i++) {
        const t = s.signed ? 0.5 + 0.5 * m[i] / span : (m[i] - s.lo) / span;
        const [R, G, B] = f(Math.min(1, Math.max(0, t)));
        px.data[4 * i] = 255 * R; px.data[4 * i + 1] = 255 * G; px.data[4 * i + 2] = 255 * B; px.data[4 * i + 3] = 255 * alpha;
      }
      createImageBitmap(px).then((bm) => { ctx.globalAlpha = 1; ctx.drawImage(bm, 0, 0); });
    }
    function showValue(ev) {
      const c = S.current; if (!c || !c.npy) return;
      const canvas = $("canvas"), rect = canvas.getBoundingClientRect();
      const x = Math.floor((ev.clientX - rect.left) / rect.width * canvas.width), y = Math.floor((ev.clientY - rect.top) / rect.height * canvas.height);
      if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) return;
      $("value").textContent = "map(" + x + ", " + y + ") = " + fmt(c.npy.data[y * canvas.width + x]);
    }
    function pinCurrent() {
      const c = S.current; if (!c || !c.overlay) return;
      S.pins.push({ title: c.title, src: c.overlay.src });
      if (S.pins.length > 2) S.pins.shift();
      $("pins").hidden = false;
      $("pinned").replaceChildren(...S.pins.map((p) => el("div", { class: "cell pin" }, el("img", { src: p.src, alt: p.title }), p.title)));
    }
    """#
}
