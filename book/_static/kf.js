// Small fixes to what the theme draws, run in every page of the book.
(() => {
  "use strict";

  // One light theme: the book is designed and checked in light colours, whatever the system prefers.
  const light = () => {
    document.documentElement.dataset.mode = "light";
    document.documentElement.dataset.theme = "light";
  };
  light();

  // A table wider than the column scrolls inside its box; say so above it, and only when it does.
  const markScrolling = () => {
    document.querySelectorAll(".kf-scroll").forEach((box) => {
      let hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("kf-scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "kf-scroll-hint";
        hint.textContent = "This table scrolls sideways for more columns \u2192";
        box.before(hint);
      }
      const overflows = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("kf-overflowing", overflows);
      hint.classList.toggle("kf-shown", overflows);
    });
  };

  // An accessible name must contain the words a reader sees on the control (WCAG 2.5.3): where the
  // theme gives a control with visible words a different label ("Toggle hidden content" on
  // "Show code cell source"), let the visible words name it.
  const nameByVisibleWords = () => {
    document.querySelectorAll("button[aria-label], summary[aria-label], a[aria-label]").forEach((el) => {
      const seen = (el.innerText || "").replace(/\s+/g, " ").trim();
      if (seen && !el.getAttribute("aria-label").toLowerCase().includes(seen.toLowerCase())) {
        el.removeAttribute("aria-label");
      }
    });
  };

  // Every part of the page sits in a landmark: the book's title at the top of the sidebar is the
  // way home, so it is marked as navigation.
  const landmarkTitle = () => {
    document.querySelectorAll(".bd-sidebar-primary .sidebar-primary-item").forEach((item) => {
      const landmark = "nav, header, footer, main, aside, [role]";
      if (item.querySelector(".navbar-brand") && !item.closest(landmark) && !item.querySelector(landmark)) {
        item.setAttribute("role", "navigation");
        item.setAttribute("aria-label", "Book home");
      }
    });
  };

  const settle = () => {
    light();
    markScrolling();
    nameByVisibleWords();
    landmarkTitle();
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", settle);
  } else {
    settle();
  }
  window.addEventListener("load", settle);
  window.addEventListener("resize", markScrolling);
})();
