-- wrk_percentiles.lua: wrk's done() hook for `pgpagebench http-compare --url ... --http-tool wrk`.
-- wrk's own --latency table has only 50/75/90/99%; this prints every percentile 0..100 from wrk's
-- latency histogram (microseconds), with the counts, in lines plots/wrk.c reads after wrk's text.
-- The binary carries this file and writes it beside the results (http/wrk-percentiles.lua) for wrk -s.
done = function(summary, latency, requests)
  io.write("pgpagebench-wrk 1\n")
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("duration_us %d\n", summary.duration))
  io.write(string.format("errors connect %d read %d write %d status %d timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  if latency.max <= 0 then
    -- no request answered (all timed out or failed): wrk's minimum is then not a time
    io.write("latency none\nend\n")
    return
  end
  io.write(string.format("latency_mean_us %.3f\n", latency.mean))
  io.write(string.format("latency_min_us %d\n", latency.min))
  io.write(string.format("latency_max_us %d\n", latency.max))
  for p = 1, 99 do
    io.write(string.format("percentile %d %d\n", p, latency:percentile(p)))
  end
  io.write("end\n")
end
