/// The viewer's HTML skeleton and style; `ViewerScript` fills it in.
enum ViewerPage {
    static let html = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>xai viewer</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/viewer.css">
    <script src="/viewer.js" defer></script>
    </head>
    <body>
    <header><h1>xai viewer</h1><span id="status" role="status"></span></header>
    <main>
    <nav id="sidebar">
      <h2>Experiments</h2><ul id="experiments"></ul>
      <h2>Runs</h2><div id="runs"><p class="hint">Pick an experiment.</p></div>
    </nav>
    <section id="content">
      <section id="explain">
        <h2>Explain an image</h2>
        <div id="drop" tabindex="0">Drop a PNG or JPEG here, or <label>choose a file <input type="file" id="file" accept="image/png,image/jpeg"></label>
          <span id="file-name"></span></div>
        <label id="exp-image-label" hidden>or an image of the open experiment <select id="exp-image"></select></label>
        <label>Model <select id="model"></select></label>
        <label>Target <input id="target" value="predicted" size="12"></label>
        <div id="method-list"></div>
        <button id="explain-button" type="button">Explain</button>
        <progress id="job-progress" max="1" value="0" hidden></progress><span id="job-state"></span>
        <div id="job-results" class="cells"></div>
      </section>
      <section id="grid-section" hidden>
        <h2 id="grid-title"></h2>
        <div id="filters">
          <label>Image <input id="f-image" size="10"></label>
          <label>Class <input id="f-class" size="10"></label>
          <label>Model <select id="f-model"></select></label>
          <label>Method <select id="f-method"></select></label>
          <label>Sweep value <input id="f-sweep" size="10"></label>
          <label>Metric <select id="f-metric"></select></label>
          <label>min <input id="f-min" size="6"></label><label>max <input id="f-max" size="6"></label>
          <label><input type="checkbox" id="f-sort"> sort by metric</label>
          <label><input type="checkbox" id="f-desc" checked> descending</label>
        </div>
        <div id="pager"><button id="prev" type="button">&larr;</button><span id="page"></span><button id="next" type="button">&rarr;</button></div>
        <div id="grid-wrap"><table id="grid"><thead></thead><tbody></tbody></table></div>
      </section>
      <section id="pins" hidden><h2>Pinned</h2><div id="pinned" class="cells"></div></section>
      <section id="detail" hidden>
        <h2 id="detail-title"></h2>
        <div class="controls">
          <label>Opacity <input type="range" id="opacity" min="0" max="1" step="0.05" value="0.5"></label>
          <label>Colormap <select id="colormap"><option>as rendered</option><option>jet</option><option>viridis</option><option>gray</option><option>diverging</option></select></label>
          <button id="pin" type="button">Pin</button><button id="close-detail" type="button">Close</button>
          <span id="value"></span>
        </div>
        <canvas id="canvas"></canvas>
      </section>
      <section id="diff" hidden><h2 id="diff-title"></h2><p id="diff-links"></p><table id="diff-table"><thead></thead><tbody></tbody></table></section>
    </section>
    </main>
    </body>
    </html>
    """#

    static let css = #"""
    body { font: 14px system-ui, sans-serif; margin: 0; color: #222; }
    header { display: flex; gap: 1em; align-items: baseline; padding: .4em 1em; background: #243447; color: #fff; }
    header h1 { font-size: 1.2em; margin: 0; }
    main { display: flex; min-height: 100vh; }
    #sidebar { width: 16em; flex: none; padding: .5em 1em; border-right: 1px solid #ddd; overflow: auto; }
    #sidebar ul { list-style: none; padding: 0; margin: 0; }
    #sidebar li button { width: 100%; text-align: left; margin: 1px 0; }
    #content { flex: 1; min-width: 0; padding: .5em 1em; }
    h2 { font-size: 1.05em; margin: .8em 0 .4em; }
    .hint { color: #777; }
    #drop { border: 2px dashed #99a; padding: 1em; margin: .4em 0; border-radius: 6px; }
    #drop.over { background: #eef; }
    fieldset { display: inline-block; vertical-align: top; margin: .3em; border: 1px solid #ccd; }
    fieldset label { display: block; margin: .15em 0; }
    #filters label { margin-right: .8em; white-space: nowrap; }
    #grid-wrap { overflow: auto; max-height: 75vh; border: 1px solid #ddd; }
    #grid { border-collapse: separate; border-spacing: 0; }
    #grid th { position: sticky; top: 0; background: #f4f5f7; z-index: 2; padding: .3em; font-weight: 600; max-width: 10em; overflow-wrap: anywhere; }
    #grid th:first-child, #grid td:first-child { position: sticky; left: 0; background: #fafafa; z-index: 1; }
    #grid thead th:first-child { z-index: 3; }
    #grid td { padding: .2em; border-bottom: 1px solid #eee; vertical-align: top; text-align: center; }
    #grid img, .cells img { width: 112px; height: 112px; object-fit: contain; cursor: zoom-in; display: block; }
    .metric { font-size: .8em; color: #555; overflow-wrap: anywhere; max-width: 112px; }
    .cells { display: flex; flex-wrap: wrap; gap: .5em; }
    .cell { border: 1px solid #ddd; padding: .3em; font-size: .85em; max-width: 240px; overflow-wrap: anywhere; }
    .cells .pin img { width: 224px; height: 224px; }
    #canvas { image-rendering: pixelated; border: 1px solid #ccc; max-width: 100%; cursor: crosshair; }
    .controls label, .controls button { margin-right: 1em; }
    #diff-table td, #diff-table th { padding: .2em .5em; border-bottom: 1px solid #eee; }
    #diff-table img { width: 96px; height: 96px; }
    .error { color: #b00020; }
    #run-list { list-style: none; padding: 0; margin: 0 0 .5em; font-size: .85em; }
    #run-list li { overflow-wrap: anywhere; margin: .15em 0; }
    #run-list li.pinned { font-weight: 600; }
    @media (max-width: 700px) { main { flex-direction: column; } #sidebar { width: auto; border-right: 0; } }
    """#
}
