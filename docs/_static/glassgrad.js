// glassgrad's docs site: a graph wider than the text column is scaled to fit; a click shows it at full size
// (in a box that scrolls) and another click scales it back. Nothing is loaded from the network.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".cell_output .glassgrad-graph")) {
    const svg = box.querySelector("svg");
    if (!svg) continue;
    const natural = svg.width.baseVal.value;  // the drawing's own width, in CSS pixels
    if (natural <= box.clientWidth + 1) continue;
    box.classList.add("glassgrad-zoomable");
    box.title = "Click to see the graph at full size (click again to fit it to the page)";
    box.addEventListener("click", () => box.classList.toggle("glassgrad-full-size"));
  }
});
