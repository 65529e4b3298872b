// Full pages only, and only as an improvement: every form works without it.
//
// Forms marked data-hd-upload show a progress bar while their files travel. The
// form is sent with XMLHttpRequest, as the browser would have sent it (same
// fields, same button), and the answer replaces the page as a normal
// submission would.

function submitWithProgress(form, submitter) {
  const progress = form.querySelector(".hd-progress");
  const data = new FormData(form);
  if (submitter && submitter.name) data.append(submitter.name, submitter.value);
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total);
  });
  request.addEventListener("load", () => {
    // After a 303 the request followed it: show that page, under its own address.
    if (request.responseURL) window.history.replaceState(null, "", request.responseURL);
    document.open();
    document.write(request.responseText);
    document.close();
  });
  request.addEventListener("error", () => form.submit());  // let the browser try
  progress.hidden = false;
  request.send(data);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-hd-upload]") || !form.querySelector(".hd-progress")) return;
  const chosen = [...form.querySelectorAll('input[type="file"]')].some((input) => input.files.length);
  if (!chosen) return;
  event.preventDefault();
  submitWithProgress(form, event.submitter);
});
