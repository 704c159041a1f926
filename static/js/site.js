// Site-wide behaviour, loaded on every page. No inline scripts or style attributes are allowed
// by the Content Security Policy, so widths of progress bars come from data attributes.
document.querySelectorAll("[data-width]").forEach((el) => {
  const value = Math.max(0, Math.min(100, Number(el.dataset.width) || 0));
  el.style.width = `${value}%`;
});

// A wide table scrolls inside its own box on a phone; a box that scrolls must be reachable by
// keyboard, so it becomes focusable (named by its table's caption) while it scrolls.
function markScrollingBoxes() {
  document.querySelectorAll(".table-responsive").forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      const caption = box.querySelector("caption");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table (scrolls sideways)");
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}
markScrollingBoxes();
window.addEventListener("resize", markScrollingBoxes);
