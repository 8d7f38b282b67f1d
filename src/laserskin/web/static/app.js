// Polls the job endpoint and swaps in the result without reloading the page (no framework, no CDN).
(function () {
  var box = document.getElementById("job");
  if (!box) { return; }
  var id = box.dataset.job;
  function poll() {
    fetch("/api/jobs/" + id).then(function (r) { return r.json(); }).then(function (job) {
      document.getElementById("progress").value = job.progress;
      document.getElementById("stage").textContent = job.stage;
      document.getElementById("elapsed").textContent = job.elapsed_s.toFixed(1) + " s";
      if (job.status === "done") {
        fetch("/jobs/" + id + "/result").then(function (r) { return r.text(); }).then(function (html) {
          document.getElementById("result").innerHTML = html;
          box.classList.add("finished");
        });
      } else if (job.status === "error") {
        var error = document.getElementById("job-error");
        error.textContent = job.message;
        error.hidden = false;
      } else {
        setTimeout(poll, 400);
      }
    }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
