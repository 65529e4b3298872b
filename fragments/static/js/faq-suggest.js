// « Ajouter un ticket »: while the subject is typed, the FAQ entries that may answer it
// appear below it, in a live region screen readers announce. Only an improvement: the
// « Vérifier la FAQ » button does the same without JavaScript.

const DELAY_MS = 400;
const MIN_LENGTH = 3;

function show(region, entries) {
  region.replaceChildren();
  if (!entries.length) return;
  const heading = document.createElement("p");
  heading.className = "hd-faq-suggest__title";
  heading.textContent = region.dataset.hdHeading;
  const list = document.createElement("ul");
  list.className = "hd-faq-links";
  for (const entry of entries) {
    const link = document.createElement("a");
    link.href = entry.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = entry.title;
    const hint = document.createElement("span");
    hint.className = "hd-visually-hidden";
    hint.textContent = " " + region.dataset.hdNewWindow;
    link.append(hint);
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
  region.append(heading, list);
}

function watch(region) {
  const subject = region.closest("form").querySelector('input[name="hd-subject"]');
  if (!subject) return;
  let timer = null;
  let asked = "";
  let pending = null;
  subject.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = subject.value.trim();
      if (text === asked) return;
      asked = text;
      if (text.length < MIN_LENGTH) return show(region, []);
      if (pending) pending.abort();
      pending = new AbortController();
      const url = new URL(region.dataset.hdSuggest, window.location.href);
      url.search = new URLSearchParams({ category: region.dataset.hdCategory, q: text });
      try {
        const answer = await fetch(url, { credentials: "same-origin", signal: pending.signal });
        if (answer.ok) show(region, (await answer.json()).entries);
      } catch (error) {
        if (error.name !== "AbortError") show(region, []);
      }
    }, DELAY_MS);
  });
}

document.querySelectorAll("[data-hd-suggest]").forEach(watch);
