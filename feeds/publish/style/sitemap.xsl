<?xml version="1.0" encoding="UTF-8"?>
<!-- Shown by browsers that open a sitemap or sitemap index: what it is and what it lists. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:s="http://www.sitemaps.org/schemas/sitemap/0.9"
    xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
    xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
    exclude-result-prefixes="s news image">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>
  <xsl:template match="/">
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>XML 网站地图</title>
        <link rel="icon" href="data:,"/>
        <style>
          body{margin:0 auto;max-width:60rem;padding:1rem;font:15px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#222}
          .box{background:#e8f4fd;border:1px solid #9cc9ef;padding:.8rem 1rem;border-radius:6px}
          table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem;text-align:left;word-break:break-all}
          a{color:#0b5cad}
        </style>
      </head>
      <body>
        <div class="box">
          <p><strong>这是一个 XML 网站地图（Sitemap）。</strong>它供百度、Google、必应等搜索引擎发现本站的全部网页，普通读者无需使用。</p>
          <!-- relative links: the index is output/sitemap.xml, its shards are in output/sitemaps/ -->
          <xsl:variable name="up"><xsl:if test="not(s:sitemapindex)">../</xsl:if></xsl:variable>
          <p>想浏览栏目与文章？请访问<a href="{$up}sitemap.html">网站地图页面</a>；想订阅新文章？请看<a href="{$up}feeds.html">全部订阅源</a>。</p>
        </div>
        <xsl:apply-templates select="s:sitemapindex | s:urlset"/>
      </body>
    </html>
  </xsl:template>
  <xsl:template match="s:sitemapindex">
    <h1>网站地图索引：共 <xsl:value-of select="count(s:sitemap)"/> 个分片</h1>
    <table>
      <tr><th>分片</th><th>最后更新</th></tr>
      <xsl:for-each select="s:sitemap">
        <tr><td><a href="{s:loc}"><xsl:value-of select="s:loc"/></a></td><td><xsl:value-of select="s:lastmod"/></td></tr>
      </xsl:for-each>
    </table>
  </xsl:template>
  <xsl:template match="s:urlset">
    <h1>网址列表：共 <xsl:value-of select="count(s:url)"/> 个</h1>
    <table>
      <tr><th>网址</th><th>标题 / 图片</th><th>最后更新</th></tr>
      <xsl:for-each select="s:url">
        <tr>
          <td><a href="{s:loc}"><xsl:value-of select="s:loc"/></a></td>
          <td><xsl:value-of select="news:news/news:title"/><xsl:if test="image:image">（含图片）</xsl:if></td>
          <td><xsl:value-of select="s:lastmod | news:news/news:publication_date"/></td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>
</xsl:stylesheet>
