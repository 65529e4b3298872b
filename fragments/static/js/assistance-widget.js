// <assistance-widget api="https://assistance.univ-x.fr" userinfo="/uPortal/api/v5-1/userinfo">
//
// The user's help-desk summary for any portal page. It asks the portal (same
// origin) for its signed userinfo token, sends it to Assistance as a bearer
// token (no cookie crosses sites), and renders in its own Shadow DOM so that
// neither the portal's styles nor ours leak. No dependency, no build step.

const STYLE = `
  :host { display: block; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
          color: #1e1e1e; }
  .box { border: 1px solid #c9ccd1; border-radius: .25rem; padding: .75rem 1rem; background: #fff; }
  h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
  dl { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0 0 .5rem; }
  dl div { display: flex; gap: .25rem; }
  dt::after { content: " :"; }
  dd { margin: 0; font-weight: 700; }
  ul { margin: 0 0 .5rem; padding-inline-start: 1.25rem; }
  a { color: #0b5cad; }
  a:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
  .status { color: #555a60; }
  .actions { display: flex; gap: 1rem; flex-wrap: wrap; margin: 0; }
  p { margin: 0 0 .5rem; }
`;

// What the widget says before Assistance has answered (its answer brings its own labels).
const WORDS = {
  fr: { loading: "Chargement…", down: "L'assistance ne répond pas pour le moment.", signIn: "Se connecter" },
  en: { loading: "Loading…", down: "The help desk does not answer at the moment.", signIn: "Sign in" },
};

class AssistanceWidget extends HTMLElement {
  get words() {
    const lang = (this.closest("[lang]")?.getAttribute("lang") || "fr").slice(0, 2);
    return WORDS[lang] || WORDS.fr;
  }

  connectedCallback() {
    if (this.shadowRoot) return;
    this.attachShadow({ mode: "open" });
    this.render(this.message(this.words.loading));
    this.load();
  }

  async load() {
    const api = (this.getAttribute("api") || "").replace(/\/$/, "");
    const headers = {};
    try {
      const userinfo = this.getAttribute("userinfo");
      if (userinfo) {
        const answer = await fetch(userinfo, { credentials: "same-origin" });
        if (answer.ok) headers.Authorization = `Bearer ${(await answer.text()).trim()}`;
      }
      const answer = await fetch(`${api}/api/v1/summary`, {
        headers,
        credentials: userinfo ? "omit" : "include",
      });
      const data = await answer.json();
      if (!answer.ok) {
        this.render(this.signIn(data));
        return;
      }
      this.render(this.summary(data));
    } catch (error) {
      this.render(this.message(this.words.down));
    }
  }

  element(tag, text, attributes = {}) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  message(text) {
    return [this.element("p", text, { role: "status" })];
  }

  signIn(data) {
    const paragraph = this.element("p", data.error || "");
    if (data.login_url) {
      paragraph.append(" ");
      paragraph.append(this.element("a", this.words.signIn, { href: data.login_url, target: "_top" }));
    }
    return [paragraph];
  }

  summary(data) {
    const nodes = [this.element("h2", data.labels.title)];
    const counts = this.element("dl");
    for (const name of ["open", "awaiting_your_answer", "awaiting_your_approval", "free_in_your_services"]) {
      if (name === "free_in_your_services" && !data.counts[name]) continue;
      const row = this.element("div", undefined, { "data-count": name });
      row.append(this.element("dt", data.labels[name]), this.element("dd", String(data.counts[name])));
      counts.append(row);
    }
    nodes.push(counts);
    if (data.tickets.length) {
      nodes.push(this.element("p", data.labels.latest));
      const list = this.element("ul");
      for (const ticket of data.tickets) {
        const item = this.element("li");
        item.append(this.element("a", `n°${ticket.number} : ${ticket.subject}`, { href: ticket.url }));
        item.append(" ", this.element("span", `(${ticket.status_label})`, { class: "status" }));
        list.append(item);
      }
      nodes.push(list);
    } else {
      nodes.push(this.element("p", data.labels.none));
    }
    const actions = this.element("p", undefined, { class: "actions" });
    actions.append(this.element("a", data.labels.add, { href: data.links.add }));
    actions.append(this.element("a", data.labels.all, { href: data.links.all }));
    nodes.push(actions);
    return nodes;
  }

  render(nodes) {
    const box = this.element("section", undefined, { class: "box", "aria-live": "polite" });
    box.append(...nodes);
    const style = this.element("style", STYLE);
    this.shadowRoot.replaceChildren(style, box);
  }
}

if (!customElements.get("assistance-widget")) {
  customElements.define("assistance-widget", AssistanceWidget);
}
