<?xml version="1.0" encoding="UTF-8"?>
<!-- Shown by browsers that open an RSS 2.0 or Atom feed: what a feed is and how to subscribe. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>
  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:template match="/">
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> - RSS 订阅源</title>
        <link rel="icon" href="data:,"/>
        <style>
          body{margin:0 auto;max-width:46rem;padding:1rem;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#222}
          .box{background:#fff8e1;border:1px solid #f0d58c;padding:.8rem 1rem;border-radius:6px}
          code{background:#f3f3f3;padding:.1rem .3rem;word-break:break-all}
          h1{font-size:1.4rem}h2{font-size:1.1rem;margin:1.2rem 0 .2rem}
          a{color:#0b5cad}.muted{color:#666;font-size:.9rem}
        </style>
      </head>
      <body>
        <div class="box">
          <p><strong>这是一个 RSS 订阅源（Feed）。</strong>它不是给人直接阅读的网页，而是供 RSS 阅读器自动获取新文章的地址。</p>
          <p>订阅方法：复制下面的地址，粘贴到您的 RSS 阅读器（如 Feedly、Inoreader、NetNewsWire、Thunderbird、QQ 邮箱阅读空间等）的“添加订阅”中即可。</p>
          <p>订阅地址：<code><xsl:value-of select="$self"/></code></p>
          <!-- the feed's own page sits beside it: a relative link works under any origin/prefix -->
          <p>不用阅读器也能看：<a href="index.html">打开本订阅源的网页</a>（最新文章、全部格式的订阅地址、OPML）。</p>
        </div>
        <h1><xsl:value-of select="$title"/></h1>
        <p class="muted"><xsl:value-of select="/rss/channel/description | /atom:feed/atom:subtitle"/></p>
        <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
      </body>
    </html>
  </xsl:template>
  <xsl:template match="item">
    <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
    <p class="muted"><xsl:value-of select="pubDate"/></p>
    <p><xsl:value-of select="description"/></p>
  </xsl:template>
  <xsl:template match="atom:entry">
    <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
    <p class="muted"><xsl:value-of select="atom:published"/></p>
    <p><xsl:value-of select="atom:summary"/></p>
  </xsl:template>
</xsl:stylesheet>
