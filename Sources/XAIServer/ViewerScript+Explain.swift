extension ViewerScript {
    /// The explain form (upload or an image of the open experiment, methods from the catalogue,
    /// the job's progress and results), the page's event wiring and the `?selftest=` hook.
    static let explainAndWiring = #"""
    // ---- explain an upload
    function paramInput(name, p) {
      const id = "p-" + name + "-" + p.name;
      let input;
      if (p.type === "bool") { input = el("input", { type: "checkbox", id }); input.checked = p.defaultValue === true; }
      else if (p.choices && (p.type === "choice" || p.type === "methodKind")) {
        input = el("select", { id }, ...p.choices.map((c) => el("option", { value: c }, c)));
        input.value = String(p.defaultValue);
      } else {
        input = el("input", { id, size: 8, value: Array.isArray(p.defaultValue) ? p.defaultValue.join(",") : String(p.defaultValue) });
        if (p.type === "int" || p.type === "double") { input.type = "number"; if (p.min != null) input.min = p.min; if (p.max != null) input.max = p.max; input.step = p.type === "int" ? 1 : "any"; }
        if (p.choices) input.setAttribute("list", id + "-choices");
      }
      input.dataset.param = p.name; input.dataset.kind = p.type;
      const range = p.min != null || p.max != null ? " [" + (p.min ?? "") + ", " + (p.max ?? "") + "]" : "";
      const label = el("label", { title: p.doc }, p.name + range + " ", input);
      if (p.choices && input.tagName === "INPUT") label.append(el("datalist", { id: id + "-choices" }, ...p.choices.map((c) => el("option", { value: c }))));
      return label;
    }
    function readParam(input) {
      if (input.type === "checkbox") return input.checked;
      const v = input.value.trim(), k = input.dataset.kind;
      if (k === "numberList") return v.split(",").map(Number);
      if (k === "string" || k === "choice" || k === "methodKind") return v;
      return v !== "" && !isNaN(Number(v)) ? Number(v) : v;
    }
    async function loadCatalogue() {
      S.catalogue = await getJSON("/api/methods");
      options($("model"), S.catalogue.models);
      $("model").firstChild.remove();
      if (S.catalogue.models.includes("efficientnet-lite0")) $("model").value = "efficientnet-lite0";
      const list = $("method-list");
      list.replaceChildren();
      for (const m of S.catalogue.methods) {
        const box = el("input", { type: "checkbox", id: "m-" + m.name, value: m.name });
        const fields = el("div", { hidden: "" }, ...m.parameters.filter((p) => !p.display).map((p) => paramInput(m.name, p)));
        box.addEventListener("change", () => { fields.hidden = !box.checked; });
        if (m.name === "gradcam") { box.checked = true; fields.hidden = false; }
        list.append(el("fieldset", { title: m.summary }, el("legend", {}, el("label", {}, box, " " + m.name + (m.slow ? " (slow)" : ""))), fields));
      }
    }
    function takeFile(f) {
      S.file = f || null;
      $("file-name").textContent = f ? f.name + " (" + Math.round(f.size / 1024) + " KiB)" : "";
      if (f) $("exp-image").value = "";
    }
    // An image of the open experiment, explained without uploading it: the request names the
    // experiment and the image's id, and the server reads the file its last run read.
    function fillImageChoice() {
      const select = $("exp-image");
      select.dataset.experiment = S.exp;
      options(select, S.manifest.images.map((i) => i.id));
      select.firstChild.textContent = "(upload instead)";
      $("exp-image-label").hidden = !S.manifest.images.length;
    }
    function pickImage(id) {
      $("exp-image").value = id;
      imagePicked();
      $("explain").scrollIntoView();
    }
    function imagePicked() {
      if (!$("exp-image").value) return;
      takeFile(null);
      $("file").value = "";
    }
    async function explain() {
      const picked = $("exp-image").value;
      if (!S.file && !picked) { status("choose an image first", true); return; }
      const methods = {};
      for (const box of document.querySelectorAll("#method-list input[type=checkbox][id^=m-]")) {
        if (!box.checked) continue;
        const settings = { method: box.value };
        for (const input of box.closest("fieldset").querySelectorAll("[data-param]")) settings[input.dataset.param] = readParam(input);
        methods[box.value] = settings;
      }
      const t = $("target").value.trim();
      const request = { model: $("model").value, methods, target: /^\d+$/.test(t) ? Number(t) : t || "predicted" };
      let body = request;
      if (picked) {
        request.image = { experiment: $("exp-image").dataset.experiment, id: picked };
      } else {
        body = new FormData();
        body.append("image", S.file);
        body.append("request", new Blob([JSON.stringify(request)], { type: "application/json" }), "request.json");
      }
      status(picked ? "explaining " + picked : "uploading");
      try {
        watchJob((await post("/api/explain", body)).job);
      } catch (e) { status(e.message, true); }
    }
    function watchJob(id) {
      const bar = $("job-progress");
      bar.hidden = false; bar.value = 0;
      $("job-results").replaceChildren();
      const events = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/events");
      const update = (ev) => {
        const job = JSON.parse(ev.data);
        bar.value = job.progress.fraction;
        $("job-state").textContent = " " + job.state + (job.progress.total ? " (" + job.progress.finished + "/" + job.progress.total + " tasks)" : "");
        if (job.state === "done" || job.state === "failed") { events.close(); showJob(job); }
      };
      for (const name of ["queued", "running", "done", "failed"]) events.addEventListener(name, update);
      events.onerror = () => { events.close(); getJSON("/api/jobs/" + encodeURIComponent(id)).then(showJob).catch((e) => status(e.message, true)); };
    }
    function showJob(job) {
      if (job.state === "failed") { status(job.error, true); return; }
      if (job.state !== "done") { setTimeout(() => getJSON("/api/jobs/" + job.id).then(showJob), 500); return; }
      status("done: " + job.results.length + " explanation(s)" + (job.run ? ", recorded as run " + job.run : "") + (job.error ? "; " + job.error : ""), !!job.error);
      $("job-results").replaceChildren(...job.results.map((r) => {
        const img = el("img", { src: r.overlay || r.input, alt: r.instance, class: "result-overlay", "data-instance": r.instance });
        img.addEventListener("click", () => openDetail(job.experiment, { images: [{ id: "upload", inputs: { m: r.input.split("/").slice(3).map(decodeURIComponent).join("/") } }], models: [] },
          { image: "upload", model: "m", run: r.run, target: r.target, scale: r.scale,
            overlay: r.overlay && r.overlay.split("/").slice(3).map(decodeURIComponent).join("/"), map: r.map.split("/").slice(3).map(decodeURIComponent).join("/") }));
        return el("div", { class: "cell" }, img, r.instance + " -> " + r.target.label + " (" + fmt(r.target.probability) + ")");
      }));
      loadExperiments().catch(() => {});
    }

    // ---- wiring
    document.addEventListener("DOMContentLoaded", () => {
      for (const id of ["f-image", "f-class", "f-sweep", "f-min", "f-max"]) $(id).addEventListener("input", () => { S.page = 0; renderGrid(); });
      for (const id of ["f-model", "f-method", "f-metric", "f-sort", "f-desc"]) $(id).addEventListener("change", () => { S.page = 0; renderGrid(); });
      $("prev").addEventListener("click", () => { S.page = Math.max(0, S.page - 1); renderGrid(); });
      $("next").addEventListener("click", () => { S.page += 1; renderGrid(); });
      $("opacity").addEventListener("input", drawDetail);
      $("colormap").addEventListener("change", drawDetail);
      $("canvas").addEventListener("mousemove", showValue);
      $("pin").addEventListener("click", pinCurrent);
      $("close-detail").addEventListener("click", () => { $("detail").hidden = true; S.current = null; });
      $("file").addEventListener("change", (e) => takeFile(e.target.files[0]));
      $("exp-image").addEventListener("change", imagePicked);
      const drop = $("drop");
      drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
      drop.addEventListener("dragleave", () => drop.classList.remove("over"));
      drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); takeFile(e.dataTransfer.files[0]); });
      $("explain-button").addEventListener("click", explain);
      loadExperiments().catch((e) => status(e.message, true));
      const selftest = new URLSearchParams(location.search).get("selftest");
      loadCatalogue().then(() => selftest && selfTest(selftest)).catch((e) => status(e.message, true));
    });

    // `/?selftest=/files/PATH.png` (for the headless-browser test): uploads that file through the
    // form's own code path with Grad-CAM checked and marks the page once the overlay has loaded.
    async function selfTest(url) {
      if (!url.startsWith("/files/")) return;
      const blob = await (await fetch(url)).blob();
      takeFile(new File([blob], url.split("/").pop(), { type: blob.type }));
      await explain();
      const wait = setInterval(() => {
        const img = document.querySelector("img.result-overlay");
        if (img && img.complete && img.naturalWidth > 0) { clearInterval(wait); document.body.dataset.selftest = "overlay-loaded"; }
      }, 200);
    }
    """#
}
