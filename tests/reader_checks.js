// Run once the page has loaded and its own scripts (collapsing hidden code cells) have settled.
window.addEventListener("load", () => setTimeout(check, 1500));

function check() {
  const main = document.querySelector("main") || document.body;
  const column = document.querySelector("article.bd-article") || main;
  const style = getComputedStyle(column);
  const columnWidth =
    column.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  // A wide table is fine inside a container that scrolls sideways and itself fits the column.
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== column; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if (s === "auto" || s === "scroll") return p.getBoundingClientRect().width <= columnWidth + 1;
    }
    return false;
  };
  const out = {
    window: window.innerWidth,
    height: document.documentElement.scrollHeight,
    width: document.documentElement.scrollWidth,
    column: Math.round(columnWidth),
    tables: [], overwide: [], statusOff: [], statusCount: 0, chartOverlaps: [],
  };
  main.querySelectorAll("table").forEach((t, i) => {
    const w = t.getBoundingClientRect().width;
    const wide = Math.round(t.scrollWidth > w ? t.scrollWidth : w);
    out.tables.push(wide);
    if (wide > columnWidth + 1 && !scrolls(t)) {
      out.overwide.push({ index: i, width: wide, column: Math.round(columnWidth), starts: t.innerText.slice(0, 60) });
    }
  });
  document.querySelectorAll(".kf-status").forEach((s) => {
    out.statusCount += 1;
    const r = s.getBoundingClientRect();
    if (r.width === 0 || r.right > Math.min(window.innerWidth, column.getBoundingClientRect().right) + 1) {
      out.statusOff.push(s.innerText);
    }
  });
  document.querySelectorAll("img.kf-chart").forEach((img) => {
    const r = img.getBoundingClientRect();
    main.querySelectorAll("*").forEach((e) => {
      if (e === img || e.contains(img)) return;
      const q = e.getBoundingClientRect();
      if (q.width === 0 || q.height === 0) return;
      // Content of a closed <details> (collapsed code cells) is not drawn, whatever its box says.
      if (e.checkVisibility && !e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return;
      const closed = e.closest("details:not([open])");
      if (closed && !e.closest("summary")) return;
      if (q.left < r.right - 1 && q.right > r.left + 1 && q.top < r.bottom - 1 && q.bottom > r.top + 1) {
        out.chartOverlaps.push(e.tagName + "." + e.className);
      }
    });
  });
  const pre = document.createElement("pre");
  pre.id = "kf-reader-checks";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}
