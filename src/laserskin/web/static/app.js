// Form pages: move the focus to the first field with an error (its message is tied to it).
(function () {
  "use strict";
  var invalid = document.querySelector("form [aria-invalid='true']");
  if (invalid) { invalid.focus(); }
})();

// Polls the job endpoint and swaps in the result without reloading the page (no framework, no CDN).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var id = box.dataset.job;
  var progress = document.getElementById("progress");
  var stage = document.getElementById("stage");
  var result = document.getElementById("result");
  var lastStage = "";
  function finish(html) {
    result.innerHTML = html;
    box.classList.add("finished");
    var cancel = document.getElementById("cancel-form");
    if (cancel) { cancel.remove(); }
    var heading = result.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }
  function poll() {
    fetch("/api/jobs/" + id, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (job) {
      progress.value = job.progress;
      progress.textContent = Math.round(job.progress * 100) + " %";
      if (job.stage !== lastStage) { stage.textContent = job.stage; lastStage = job.stage; }
      document.getElementById("elapsed").textContent = "(" + job.elapsed_s.toFixed(0) + " s)";
      if (job.status === "done") {
        fetch("/jobs/" + id + "/result").then(function (r) { return r.text(); }).then(finish);
      } else if (job.status === "error" || job.status === "cancelled") {
        var error = document.getElementById("job-error");
        error.textContent = job.form_message || job.message || job.status;
        error.hidden = false;
        var cancel = document.getElementById("cancel-form");
        if (cancel) { cancel.remove(); }
      } else {
        setTimeout(poll, 500);
      }
    }).catch(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
