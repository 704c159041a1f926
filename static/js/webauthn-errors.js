// A security key that does not answer, or that the site refuses, shows the page's own sentence
// (an element with id "webauthn-error") instead of an error in the console.
(function () {
  document.addEventListener("allauth.error", function (event) {
    const tags = (event.detail && event.detail.tags) || [];
    const message = document.getElementById("webauthn-error");
    if (tags.includes("webauthn") && message) {
      message.hidden = false;
      event.preventDefault();
    }
  });
})();
