/* Site page: on a narrow screen the timeline chart scrolls sideways; open it at the
 * date the page was opened for (today by default) rather than at 2011. data-at is
 * where that date is drawn, as a fraction of the chart's width. */
(function () {
  "use strict";
  document.querySelectorAll(".chart .scroll[data-at]").forEach(function (box) {
    const at = parseFloat(box.dataset.at);
    if (!(box.scrollWidth > box.clientWidth) || isNaN(at)) return;
    box.scrollLeft = Math.max(0, at * box.scrollWidth - box.clientWidth / 2);
  });
})();
