-- Variant django: what the Django ORM sends for one page of a ListView with paginate_by = 10 over these
-- tables, as a run --script file (each statement ends with a semicolon, offset is the page's OFFSET).
-- The SQL is Django 3.2's own, taken with DEBUG query logging from a real Django on this schema, for
--   class Record(models.Model) with auth_user = ForeignKey(User), parent = ForeignKey(self, null=True),
--       status, updated, label, content, and Meta db_table record, ordering by -updated
--   class Tag(models.Model) with kind, kind_id = ForeignKey(Record, db_column kind_id, related_name tags),
--       tag, and Meta db_table tag
--   queryset = Record.objects.filter(parent__isnull=True, status=new).select_related(auth_user)
--       .prefetch_related(Prefetch(tags, queryset=Tag.objects.filter(kind=rec)))
-- The ListView has no count of each record's children: the seed's parts column has no counterpart here.
--
-- 1. The paginator's count (Paginator.count, once a request).
SELECT COUNT(*) AS "__count" FROM "record" WHERE ("record"."parent_id" IS NULL AND "record"."status" = 'new');
-- 2. The page with its author (select_related: one INNER JOIN). Django reads columns by position and
-- sends them unaliased. Two would be called id, so the author's is named auth_user_id_ here (glist names
-- a variable by its column, and the plan is the same). The glist line after it (a pgpagebench extension)
-- makes each column of the page the variable page_COLUMN, an array literal of the page's values, so
-- page_id holds the records' ids.
SELECT "record"."id", "record"."auth_user_id", "record"."parent_id", "record"."status", "record"."updated",
    "record"."label", "record"."content", "auth_user"."id" AS "auth_user_id_", "auth_user"."password",
    "auth_user"."last_login", "auth_user"."is_superuser", "auth_user"."username", "auth_user"."first_name",
    "auth_user"."last_name", "auth_user"."email", "auth_user"."is_staff", "auth_user"."is_active",
    "auth_user"."date_joined"
FROM "record" INNER JOIN "auth_user" ON ("record"."auth_user_id" = "auth_user"."id")
WHERE ("record"."parent_id" IS NULL AND "record"."status" = 'new')
ORDER BY "record"."updated" DESC LIMIT 10 OFFSET :offset;
\glist page_
-- 3. The tag prefetch for the page's records. Django sends kind_id IN (231, 166, ...) with the ids
-- inline, and this script sends kind_id = ANY of the page_id array as one parameter instead. PostgreSQL
-- plans both the same way: the parser turns IN (list) into the ScalarArrayOpExpr kind_id = ANY (array),
-- the same index condition on tag_kind_id_kind_idx.
SELECT "tag"."id", "tag"."kind", "tag"."kind_id", "tag"."tag" FROM "tag"
WHERE ("tag"."kind" = 'rec' AND "tag"."kind_id" = ANY(:page_id));
