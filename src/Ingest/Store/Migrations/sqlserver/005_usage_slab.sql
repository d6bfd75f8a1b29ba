-- Usage day slabs (issue 7), SQL Server dialect: see sqlite/005_usage_slab.sql for the why.
CREATE TABLE usage_slab (
    feed     nvarchar(32)   NOT NULL,
    first_no bigint         NOT NULL,
    date     varchar(10)    NOT NULL,
    source   nvarchar(max)  NOT NULL,
    format   bigint         NOT NULL,
    payload  varbinary(max) NOT NULL,
    PRIMARY KEY (feed, first_no, date)
);
