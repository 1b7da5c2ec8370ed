/// The gallery's stylesheet, inlined into every page (no external CSS or fonts).
enum Style {
    static let css = """
    :root {
      --bg: #f5f6f8; --card: #ffffff; --ink: #1d2430; --muted: #667085; --line: #e4e7ec;
      --accent: #2f6fdf; --accent-soft: #e8effc; --good: #1f8a4c; --bad: #c4320a; --bad-soft: #fef3f2;
      --radius: 10px; --cell: 208px; --head: 250px;
    }
    * { box-sizing: border-box; }
    html { scroll-padding-top: 64px; }
    body { margin: 0; background: var(--bg); color: var(--ink);
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; }
    a { color: var(--accent); text-decoration: none; }
    a:hover { text-decoration: underline; }
    header.top { position: sticky; top: 0; z-index: 10; background: rgba(255,255,255,0.92);
      backdrop-filter: saturate(180%) blur(8px); border-bottom: 1px solid var(--line); }
    .top-inner { max-width: 1600px; margin: 0 auto; padding: 10px 24px; display: flex; align-items: center; gap: 24px; }
    .brand { display: flex; align-items: baseline; gap: 10px; min-width: 0; }
    .brand h1 { font-size: 18px; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .logo { font-weight: 700; color: #fff; background: var(--accent); border-radius: 6px; padding: 1px 7px; font-size: 13px; }
    nav { display: flex; gap: 4px; flex-wrap: wrap; margin-left: auto; }
    nav a { padding: 4px 10px; border-radius: 999px; color: var(--muted); font-weight: 500; }
    nav a:hover, nav a.here { background: var(--accent-soft); color: var(--accent); text-decoration: none; }
    main { max-width: 1600px; margin: 0 auto; padding: 20px 24px 40px; }
    h2 { font-size: 17px; margin: 0 0 12px; }
    h3 { font-size: 14px; margin: 16px 0 8px; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
      padding: 16px 18px; margin-bottom: 20px; box-shadow: 0 1px 2px rgba(16,24,40,0.04); }
    .muted { color: var(--muted); }
    .small { font-size: 12px; }
    .chips { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 10px; padding: 0; list-style: none; }
    .chips li { background: var(--bg); border: 1px solid var(--line); border-radius: 999px; padding: 2px 10px; font-size: 12px; }
    .chips li b { font-weight: 600; }
    .chips li.bad { background: var(--bad-soft); border-color: #fecdca; color: var(--bad); }
    details summary { cursor: pointer; color: var(--muted); }
    pre { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 10px; overflow: auto; max-height: 420px; }
    /* gallery grid: one row per image (and target), one column per method instance */
    /* the grid scrolls inside its box, so the column heads stick to its top and the image
       column to its left whichever way the user scrolls */
    .grid-wrap { overflow: auto; max-height: calc(100vh - 96px); padding-bottom: 4px; }
    .grid { display: grid; grid-template-columns: var(--head) repeat(var(--cols), minmax(var(--cell), 270px)); gap: 12px; align-items: start; }
    .grid.sweeps-only { grid-template-columns: var(--head) minmax(0, 1fr); }
    .grid.sweeps-only .strip { grid-column: 2 / -1; }
    .col-head { font-weight: 600; font-size: 13px; padding: 6px 8px; background: var(--card);
      border: 1px solid var(--line); border-radius: 8px; position: sticky; top: 0; z-index: 2;
      box-shadow: 0 -12px 0 var(--card); }
    .col-head.corner { left: 0; z-index: 3; }
    .col-head .kind, .col-head .model { display: block; font-weight: 400; color: var(--muted); font-size: 11px; }
    .row-sep { grid-column: 1 / -1; border-top: 1px solid var(--line); margin: 6px 0 2px; }
    .row-head { position: sticky; left: 0; z-index: 1; background: var(--card); border: 1px solid var(--line);
      border-radius: var(--radius); padding: 10px; }
    .row-head h3 { margin: 8px 0 2px; font-size: 15px; word-break: break-all; }
    .row-head .input { display: grid; grid-template-columns: repeat(auto-fit, minmax(80px, 1fr)); gap: 6px; }
    .target { margin: 8px 0; padding: 6px 8px; background: var(--accent-soft); border-radius: 6px; font-size: 12px; }
    .target b { font-size: 13px; }
    ol.preds { list-style: none; margin: 6px 0 0; padding: 0; font-size: 12px; }
    ol.preds li { display: grid; grid-template-columns: 1fr 70px 44px; gap: 6px; align-items: center; padding: 1px 0; }
    ol.preds li.explained .lab { font-weight: 600; color: var(--accent); }
    ol.preds .lab { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .bar { display: block; height: 7px; background: var(--line); border-radius: 4px; overflow: hidden; }
    .bar > span { display: block; height: 100%; background: var(--accent); border-radius: 4px; }
    ol.preds .p { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
    .preds-model { font-size: 11px; color: var(--muted); margin-top: 8px; }
    figure { margin: 0; }
    .cell { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 8px; }
    .cell.empty { color: var(--muted); font-size: 12px; text-align: center; padding: 24px 8px; border-style: dashed; }
    a.zoom { display: block; cursor: zoom-in; }
    .thumb { display: block; width: 100%; aspect-ratio: 1 / 1; object-fit: contain; background: #eef0f3; border-radius: 6px; }
    .nopic { display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: 12px; text-align: center; padding: 8px; }
    figcaption { margin-top: 6px; font-size: 12px; }
    .method { font-weight: 600; font-size: 13px; }
    .method .kind { font-weight: 400; color: var(--muted); }
    .params { color: var(--muted); word-break: break-word; margin-top: 2px; }
    .params .swept { color: var(--ink); background: #fff4d6; border-radius: 4px; padding: 0 3px; }
    .pager { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin: 0 0 10px; font-size: 12px; }
    .pager span { margin-right: 8px; }
    .pager a { padding: 1px 8px; border-radius: 999px; border: 1px solid var(--line); }
    .pager a.here { background: var(--accent); color: #fff; border-color: var(--accent); }
    /* colour bar: gradient with lo / 0 / hi under it and the scaling note */
    .cbar { margin-top: 6px; }
    .cbar-grad { height: 8px; border-radius: 3px; border: 1px solid rgba(0,0,0,0.08); }
    .cbar-ticks { display: flex; justify-content: space-between; font-size: 10px; color: var(--muted); font-variant-numeric: tabular-nums; }
    .cbar-cap { font-size: 10px; color: var(--muted); line-height: 1.3; }
    table.kv { width: 100%; border-collapse: collapse; margin-top: 6px; font-size: 12px; table-layout: fixed; }
    table.kv th { text-align: left; font-weight: 400; color: var(--muted); padding: 1px 0;
      overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    table.kv td { text-align: right; font-variant-numeric: tabular-nums; padding: 1px 0 1px 6px; width: 5.5em; white-space: nowrap; }
    .legend { list-style: none; margin: 6px 0 0; padding: 0; font-size: 11px; }
    .legend li { display: flex; gap: 6px; align-items: flex-start; padding: 2px 0; }
    .swatch { flex: none; width: 12px; height: 12px; border-radius: 3px; margin-top: 2px; border: 1px solid rgba(0,0,0,0.15); }
    .pictures { display: grid; grid-template-columns: repeat(auto-fill, minmax(58px, 1fr)); gap: 4px; margin-top: 6px; }
    .pictures figure figcaption { margin: 0; font-size: 10px; color: var(--muted); word-break: break-all; }
    /* sweep strips */
    .strip { grid-column: 1 / -1; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 12px; }
    .strip h4 { margin: 0 0 8px; font-size: 13px; }
    .strip h4 .muted { font-weight: 400; }
    .strip-items { display: flex; gap: 10px; overflow-x: auto; align-items: flex-start; }
    .strip-items .cell { flex: 0 0 180px; border: none; padding: 0; }
    .strip-value { font-weight: 600; font-size: 12px; margin-bottom: 3px; }
    .strip-plots { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
    /* tables */
    .table-wrap { overflow-x: auto; }
    table.data { border-collapse: collapse; font-size: 12.5px; margin: 4px 0 12px; }
    table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 5px 10px; }
    table.data thead th { background: var(--bg); text-align: left; font-weight: 600; white-space: nowrap; }
    table.data tbody th { text-align: left; font-weight: 500; white-space: nowrap; }
    table.data td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    table.data td.best .mean { font-weight: 700; color: var(--good); }
    table.data .ci { display: block; color: var(--muted); font-size: 11px; }
    table.data td.wrap { white-space: pre-wrap; word-break: break-word; max-width: 520px; }
    table.failures td.err { color: var(--bad); }
    .plots { display: flex; flex-wrap: wrap; gap: 12px; }
    /* SVG plots */
    svg.plot { background: #fff; border: 1px solid var(--line); border-radius: 8px; font-family: inherit; }
    svg.plot .plot-title { font-size: 12px; font-weight: 600; fill: var(--ink); }
    svg.plot .grid line { stroke: #eef0f3; }
    svg.plot .axis line { stroke: #98a2b3; }
    svg.plot text { font-size: 10px; fill: #475467; }
    svg.plot .series path { stroke-width: 2; stroke-linejoin: round; }
    svg.plot .series.faint path { stroke-width: 1; opacity: 0.35; }
    svg.plot .legend line { stroke-width: 2.5; }
    footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }

    """
}
