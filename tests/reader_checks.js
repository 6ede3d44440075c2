// What a reader sees on the page as laid out now, measured in the page itself.
// Evaluated by tests/test_browser.py once the page has loaded and its own scripts have settled;
// it returns one object of findings (each list empty on a page a reader can use).
() => {
  const main = document.querySelector("main") || document.body;
  const column = document.querySelector("article.bd-article") || main;
  const style = getComputedStyle(column);
  const columnWidth =
    column.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const shown = (e) =>
    !e.checkVisibility || e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  // A box that a scrolling or clipping ancestor keeps inside the page does not widen it.
  const clipped = (el, limit) => {
    for (let p = el.parentElement; p && p !== limit; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== "visible" || s.position === "fixed") return p;
    }
    return null;
  };
  // A wide table is fine inside a container that scrolls sideways and itself fits the column.
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== column; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if (s === "auto" || s === "scroll") return p.getBoundingClientRect().width <= columnWidth + 1;
    }
    return false;
  };
  const describe = (e) => {
    const text = (e.innerText || e.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
    return `${e.tagName.toLowerCase()}${e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : ""} ${JSON.stringify(text)}`;
  };
  const out = {
    window: window.innerWidth,
    height: document.documentElement.scrollHeight,
    width: document.documentElement.scrollWidth,
    column: Math.round(columnWidth),
    tables: [], overwide: [], wider: [], overlaps: [], statusOff: [], statusCount: 0, chartOverlaps: [],
    scrollHints: 0, scrollers: 0, keyColumnOff: [],
  };
  main.querySelectorAll("table").forEach((t, i) => {
    const w = t.getBoundingClientRect().width;
    const wide = Math.round(t.scrollWidth > w ? t.scrollWidth : w);
    out.tables.push(wide);
    if (wide > columnWidth + 1 && !scrolls(t)) {
      out.overwide.push({ index: i, width: wide, column: Math.round(columnWidth), starts: t.innerText.slice(0, 60) });
    }
  });
  // Any element drawn past the window's edges (and not held in by a scrolling or clipping box).
  document.body.querySelectorAll("*").forEach((e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || !shown(e)) return;
    if (r.right <= window.innerWidth + 1 && r.left >= -1) return;
    if (clipped(e, document.body)) return;
    if (out.wider.length < 20) out.wider.push(`${describe(e)} spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
  });
  // Claims tables: the text of one cell must neither leave its cell nor touch another cell's text.
  const textBoxes = (cell) => {
    const boxes = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim() || !shown(n.parentElement)) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const b of range.getClientRects()) if (b.width > 0 && b.height > 0) boxes.push(b);
    }
    return boxes;
  };
  const meet = (a, b) =>
    a.left < b.right - 1 && a.right > b.left + 1 && a.top < b.bottom - 1 && a.bottom > b.top + 1;
  main.querySelectorAll("table.kf-claims tr").forEach((row) => {
    if (!shown(row)) return;
    const cells = [...row.children].map((c) => ({ cell: c, rect: c.getBoundingClientRect(), boxes: textBoxes(c) }));
    cells.forEach((a, i) => {
      for (const box of a.boxes) {
        if (box.right > a.rect.right + 1 || box.left < a.rect.left - 1) {
          out.overlaps.push(`${describe(a.cell)} runs out of its cell`);
          break;
        }
      }
      cells.slice(i + 1).forEach((b) => {
        if (a.boxes.some((x) => b.boxes.some((y) => meet(x, y)))) {
          out.overlaps.push(`${describe(a.cell)} is drawn over ${describe(b.cell)}`);
        }
      });
    });
  });
  document.querySelectorAll(".kf-status").forEach((s) => {
    out.statusCount += 1;
    const r = s.getBoundingClientRect();
    if (r.width === 0 || r.right > Math.min(window.innerWidth, column.getBoundingClientRect().right) + 1) {
      out.statusOff.push(s.innerText);
    }
  });
  // A table that scrolls sideways says so, and keeps its first (key) column in view when scrolled.
  main.querySelectorAll(".kf-scroll").forEach((s) => {
    if (s.scrollWidth > s.clientWidth + 1) {
      out.scrollers += 1;
      if (s.classList.contains("kf-overflowing")) out.scrollHints += 1;
      const first = s.querySelector("tr > :first-child");
      if (first) {
        const before = s.scrollLeft;
        s.scrollLeft = s.scrollWidth;
        const shift = first.getBoundingClientRect().left - s.getBoundingClientRect().left;
        if (Math.abs(shift) > 4) out.keyColumnOff.push(describe(first));
        s.scrollLeft = before;
      }
    }
  });
  document.querySelectorAll("img.kf-chart").forEach((img) => {
    const r = img.getBoundingClientRect();
    main.querySelectorAll("*").forEach((e) => {
      if (e === img || e.contains(img)) return;
      const q = e.getBoundingClientRect();
      if (q.width === 0 || q.height === 0) return;
      // Content of a closed <details> (collapsed code cells) is not drawn, whatever its box says.
      if (!shown(e)) return;
      const closed = e.closest("details:not([open])");
      if (closed && !e.closest("summary")) return;
      if (q.left < r.right - 1 && q.right > r.left + 1 && q.top < r.bottom - 1 && q.bottom > r.top + 1) {
        out.chartOverlaps.push(e.tagName + "." + e.className);
      }
    });
  });
  return out;
}
