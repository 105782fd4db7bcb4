// The review desk in the browser: save without leaving the page, keyboard navigation, conflicts.
// Without JavaScript the forms still work (each save reloads the page).
"use strict";

(() => {
  const forms = Array.from(document.querySelectorAll("form.entry"));
  if (!forms.length) return;
  const status = document.getElementById("status");

  const say = (text, error = false) => {
    status.textContent = text;
    status.classList.toggle("error", error);
  };
  const itemOf = (form) => form.closest("li.segment");
  const dirty = (form) => form.elements.text.value !== form.elements.text.dataset.saved;
  const markDirty = (form) => itemOf(form).classList.toggle("dirty", dirty(form));

  for (const form of forms) {
    const area = form.elements.text;
    area.dataset.saved = area.value;
    area.addEventListener("input", () => markDirty(form));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const action = event.submitter ? event.submitter.value : "save";
      save(form, action, false);
    });
    // Enter in the reason box would press the form's first button (the first finding's Settle):
    // a finding is settled only by its own button.
    form.elements.reason.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    const fresh = form.querySelector(".use-fresh");
    if (fresh) {
      fresh.addEventListener("click", () => {
        area.value = form.querySelector(".fresh-text").textContent;
        markDirty(form);
        area.focus();
      });
    }
  }

  async function save(form, action, next) {
    const body = new URLSearchParams(new FormData(form));
    body.set("action", action);
    say("Saving…");
    let response, data;
    try {
      response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      say(`Not saved: the preview server does not answer (${error.message}). Your text is still here.`, true);
      return;
    }
    try {
      data = await response.json();
    } catch (error) {
      say(`Not saved: the server failed (HTTP ${response.status}); see the terminal running serve. Your text is still here.`, true);
      return;
    }
    if (response.ok) {
      saved(form, data, action.startsWith("settle"));
      const done = action === "approve" ? "Approved" : action.startsWith("settle") ? "Settled a finding of" : "Saved";
      say(`${done} segment ${data.number}.`);
      if (action.startsWith("settle")) form.elements.reason.value = "";
      if (next) goToNextNeedingWork(form);
    } else if (response.status === 409 && data.conflict) {
      showConflict(form, action, data);
    } else {
      say(`Not saved: ${data.error}`, true);
    }
  }

  // After a save, or a settled finding (which leaves anything typed but not saved in the box).
  function saved(form, data, settling = false) {
    const item = itemOf(form);
    const area = form.elements.text;
    if (!settling) area.value = data.text;
    area.dataset.saved = data.text;
    item.dataset.state = data.state;
    item.dataset.needsWork = data.needs_work ? "yes" : "no";
    item.querySelector(".state").textContent = data.state;
    // The server renders the text through the build's sanitiser: this is the page's HTML.
    item.querySelector(".preview").innerHTML = data.html;
    const findings = item.querySelector(".findings");
    findings.replaceChildren(
      ...data.findings.map((text, number) => {
        const line = document.createElement("li");
        line.append(Object.assign(document.createElement("span"), { className: "finding", textContent: text }), " ");
        const kept = Object.assign(document.createElement("input"), { type: "hidden", name: "finding", value: text });
        const settle = Object.assign(document.createElement("button"), {
          type: "submit", name: "action", value: `settle ${number}`, className: "settle", textContent: "Settle",
        });
        line.append(kept, settle);
        return line;
      }),
    );
    item.querySelector(".settle-reason").hidden = !data.findings.length;
    const settled = item.querySelector(".settled");
    settled.replaceChildren(...data.settled.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
    if (!data.stale) item.querySelectorAll(".stale, .fresh").forEach((node) => node.remove());
    item.querySelector(".conflict").hidden = true;
    // Each segment carries its own entry's version: saving another segment never makes it conflict.
    form.elements.version.value = data.version;
    for (const [state, count] of Object.entries(data.counts)) {
      const total = document.querySelector(`.total[data-state="${state}"] strong`);
      if (total) total.textContent = count;
    }
    markDirty(form);
  }

  function showConflict(form, action, data) {
    const { yours, theirs, version } = data.conflict;
    const panel = form.querySelector(".conflict");
    const heading = (text) => Object.assign(document.createElement("h2"), { textContent: text });
    const paragraph = (text) => Object.assign(document.createElement("p"), { textContent: text });
    const button = (text, handler) => {
      const node = Object.assign(document.createElement("button"), { type: "button", textContent: text });
      node.addEventListener("click", handler);
      return node;
    };
    const onDisk = theirs ? paragraph(`${theirs.text} (${theirs.state})`) : paragraph("No entry for this segment on disk now.");
    onDisk.className = "theirs";
    const mine = paragraph(yours);
    mine.className = "yours";
    const keepMine = button("Keep mine (save it over this entry)", () => {
      form.elements.version.value = version;
      form.elements.text.value = yours;
      save(form, action, false);
    });
    const takeTheirs = button("Take the one on disk", () => {
      form.elements.version.value = version;
      form.elements.text.value = theirs ? theirs.text : "";
      form.elements.text.dataset.saved = form.elements.text.value;
      panel.hidden = true;
      markDirty(form);
    });
    panel.replaceChildren(
      paragraph(data.error),
      heading("On disk now"),
      onDisk,
      heading("Yours (still in the box above)"),
      mine,
      keepMine,
      ...(theirs ? [" ", takeTheirs] : []),
    );
    panel.hidden = false;
    say("Not saved: the file changed on disk. Compare the two versions below the segment.", true);
    keepMine.focus();
  }

  function focusSegment(form) {
    form.elements.text.focus();
    itemOf(form).scrollIntoView({ block: "center" });
  }

  function goToNextNeedingWork(form) {
    const start = forms.indexOf(form);
    for (let step = 1; step <= forms.length; step++) {
      const candidate = forms[(start + step) % forms.length];
      if (itemOf(candidate).dataset.needsWork === "yes") {
        focusSegment(candidate);
        return;
      }
    }
    say("Every segment is reviewed.");
  }

  document.addEventListener("keydown", (event) => {
    const form = event.target.closest ? event.target.closest("form.entry") : null;
    const command = event.ctrlKey || event.metaKey;
    if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      const index = form ? forms.indexOf(form) : -1;
      const next = event.key === "ArrowDown" ? index + 1 : index - 1;
      focusSegment(forms[Math.max(0, Math.min(forms.length - 1, next < 0 && index < 0 ? 0 : next))]);
    } else if (command && event.key === "Enter" && form) {
      event.preventDefault();
      save(form, "approve", true);
    } else if (command && (event.key === "s" || event.key === "S") && form) {
      event.preventDefault();
      save(form, "save", false);
    }
  });

  window.addEventListener("beforeunload", (event) => {
    if (forms.some(dirty)) event.preventDefault();
  });

  const first = forms.find((form) => itemOf(form).dataset.needsWork === "yes");
  if (first && !location.hash) focusSegment(first);
})();
