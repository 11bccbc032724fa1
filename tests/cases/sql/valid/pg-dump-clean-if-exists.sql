-- dialect: postgres   pg_dump --clean --if-exists drops every object sqlglot may not parse, then re-creates it
DROP POLICY IF EXISTS own_rows ON public.accounts;
DROP TABLE IF EXISTS public.accounts;
DROP DOMAIN IF EXISTS public.year;
DROP EXTENSION IF EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE DOMAIN public.year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE TABLE public.accounts (id integer PRIMARY KEY, owner text NOT NULL, opened public.year);
CREATE POLICY own_rows ON public.accounts USING (owner = current_user);
