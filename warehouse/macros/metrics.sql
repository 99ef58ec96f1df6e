-- The glossary's metrics (../shared/GLOSSARY.md), once. Every mart and app/analytics call these;
-- the warehouse file carries them, so the app's read-only connection has them too.
-- n5 … n2, n_na: how many of the N with that mark; NULL when N is 0 (nothing to measure).
CREATE OR REPLACE MACRO abs_progress_pct(n5, n4, n3, n) AS
    CASE WHEN n > 0 THEN round(100.0 * (n5 + n4 + n3) / n, 1) END;
CREATE OR REPLACE MACRO quality_pct(n5, n4, n) AS
    CASE WHEN n > 0 THEN round(100.0 * (n5 + n4) / n, 1) END;
-- СОУ, степень обученности (В. П. Симонов)
CREATE OR REPLACE MACRO sou_pct(n5, n4, n3, n2, n_na, n) AS
    CASE WHEN n > 0 THEN round((100 * n5 + 64 * n4 + 36 * n3 + 16 * n2 + 7 * n_na) / n, 1) END;
CREATE OR REPLACE MACRO avg_mark(numeric_sum, numeric_marks) AS
    CASE WHEN numeric_marks > 0 THEN round(numeric_sum / numeric_marks, 2) END;
