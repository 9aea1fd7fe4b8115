"""Adapters that feed newsflow from crawlers (Scrapy: ``workers.integrations.scrapy``)."""
