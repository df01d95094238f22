\set b random(1, 1)
SELECT count(*) AS n FROM pgbench_tellers WHERE bid = :b \gset c_
SELECT tid FROM pgbench_tellers WHERE bid = :b ORDER BY tid LIMIT 3 OFFSET :offset
\glist t_
\sleep 2 ms
SELECT sum(tbalance) + :c_n AS s FROM pgbench_tellers WHERE tid = ANY(:t_tid);
