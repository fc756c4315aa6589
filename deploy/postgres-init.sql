-- The embedded register's own database beside the gateway's (the register stands in for the national one).
CREATE DATABASE register OWNER fiksreg;
