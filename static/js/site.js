// Site-wide behaviour, loaded on every page. No inline scripts or style attributes are allowed
// by the Content Security Policy, so widths of progress bars come from data attributes.
document.querySelectorAll("[data-width]").forEach((el) => {
  const value = Math.max(0, Math.min(100, Number(el.dataset.width) || 0));
  el.style.width = `${value}%`;
});
