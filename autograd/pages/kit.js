/* Every page: read the page's data (JSON, never markup), set the title, and offer the only ways the pages put
   text and pictures on screen: as text nodes (textContent), and SVG parsed as SVG with drawing elements only. */
(function () {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const envelope = JSON.parse(document.getElementById("glassgrad-data").textContent);

  // What a picture may hold: drawing elements. Anything else (script, foreignObject, a, image, use, style, ...)
  // is dropped with everything inside it, and so is every attribute that could run or load something.
  const DRAWING = new Set(["svg", "g", "title", "desc", "polygon", "polyline", "path", "ellipse", "circle", "line",
    "rect", "text", "tspan", "defs", "lineargradient", "radialgradient", "stop", "clippath"]);

  function setText(element, value) {
    element.textContent = value === null || value === undefined ? "" : String(value);
    return element;
  }
  function make(tag, options, parent) {
    const element = document.createElement(tag);
    const o = options || {};
    if (o.id) { element.id = o.id; }
    if (o.className) { element.className = o.className; }
    if (o.text !== undefined) { setText(element, o.text); }
    if (o.attrs) { Object.keys(o.attrs).forEach(function (k) { element.setAttribute(k, String(o.attrs[k])); }); }
    if (parent) { parent.appendChild(element); }
    return element;
  }
  function svg(tag, attrs, parent, text) {
    const element = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { element.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) { setText(element, text); }
    if (parent) { parent.appendChild(element); }
    return element;
  }
  function keepDrawingOnly(element) {
    Array.from(element.attributes).forEach(function (attribute) {
      const name = attribute.name.toLowerCase();
      if (name.indexOf("on") === 0 || name === "style" || name === "src" || name.slice(-4) === "href") {
        element.removeAttributeNode(attribute);
      }
    });
    Array.from(element.children).forEach(function (child) {
      if (child.namespaceURI !== SVG_NS || !DRAWING.has(child.localName.toLowerCase())) {
        child.remove();
      } else {
        keepDrawingOnly(child);
      }
    });
  }
  function importSvg(markup, container) {
    const parsed = new DOMParser().parseFromString(String(markup), "image/svg+xml");
    const root = parsed.documentElement;
    if (!root || root.namespaceURI !== SVG_NS || root.localName !== "svg" ||
        parsed.getElementsByTagName("parsererror").length) {
      throw new Error("glassgrad: the picture is not a well-formed SVG document");
    }
    keepDrawingOnly(root);
    const picture = document.importNode(root, true);
    container.appendChild(picture);
    return picture;
  }

  document.title = envelope.title;
  document.querySelectorAll("[data-glassgrad-title]").forEach(function (element) {
    setText(element, envelope.title);
  });
  window.glassgrad = Object.freeze({
    page: envelope.page, title: envelope.title, data: envelope.data, SVG_NS: SVG_NS,
    setText: setText, make: make, svg: svg, importSvg: importSvg
  });
})();
