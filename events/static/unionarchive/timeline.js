/* Starts TimelineJS on the timeline page with the filters' /api/timeline/ URL.
   Everything it needs comes from this site (script_path, locale); no font is loaded. */
(function () {
  "use strict";
  var island = document.getElementById("timeline-config");
  var holder = document.getElementById("timeline-embed");
  var status = document.getElementById("timeline-status");
  if (!island || !holder || typeof TL === "undefined") { return; }
  var config = JSON.parse(island.textContent);
  var absolute = function (path) { return new URL(path, window.location.href).toString(); };
  fetch(config.source, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (data) {
      if (!data.events || data.events.length === 0) {
        holder.hidden = true;
        status.textContent = config.empty;
        return;
      }
      window.timeline = new TL.Timeline(holder, data, {
        script_path: absolute(config.script_path),
        language: absolute(config.language),
        font: null,
        hash_bookmark: false,
        initial_zoom: 2,
        timenav_position: "bottom"
      });
    })
    .catch(function () {
      holder.hidden = true;
      status.textContent = config.failed;
    });
})();
