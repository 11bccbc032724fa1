-- dialect: postgres
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
\connect shop
CREATE TYPE public.status AS ENUM ('new', 'done');
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated := now(); RETURN NEW;
END;
$$;
DROP TABLE IF EXISTS public.customer;
CREATE TABLE public.customer (id integer NOT NULL, email text, status public.status);
CREATE TABLE public.orders (id bigint NOT NULL, customer_id integer, total numeric(10,2));
CREATE TABLE public.orders_2024 PARTITION OF public.orders FOR VALUES FROM (1) TO (2);
ALTER TABLE ONLY public.customer ADD CONSTRAINT customer_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES public.customer(id);
ALTER TABLE public.customer OWNER TO shop;
GRANT SELECT ON public.customer TO reader;
COMMENT ON TABLE public.customer IS 'people; who buy';
