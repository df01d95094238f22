SELECT 'a;b', $$ :x $$, 1::int /* c */ -- d
  FROM t WHERE x = :n OFFSET :offset;
\sleep :n ms
\set y (1 + :n) * 2 % 5 <> 0 AND NOT false
SELECT :y, :page
