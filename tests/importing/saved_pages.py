# ruff: noqa: E501 - saved pages have long lines, as real ones do
"""Saved news pages in the markup of three kinds of Vietnamese news CMS, with their real-looking noise.

Written for the import tests (no page here was copied from a real site): a national daily (JSON-LD
in an @graph, lazy photos with stand-in GIFs, a caption table, a related-news box), an online-only
paper (OpenGraph only, <picture> with data-srcset, captions with credits, "Xem thêm" lines, an
embedded data: photo) and a WordPress provincial site (wp-caption boxes, a centred photo with an
italic caption line under it, Jetpack share and related boxes, a tracking pixel).
"""

from __future__ import annotations

NATIONAL_DAILY = """<!DOCTYPE html>
<!-- saved from url=(0071)https://nhandan.example.vn/xa-hoi/tau-container-cap-cang-cai-mep-12345 -->
<html lang="vi"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>Tàu container lớn nhất cập cảng Cái Mép | Báo Nhân Dân điện tử</title>
<meta property="og:type" content="article">
<meta property="og:site_name" content="Báo Nhân Dân điện tử">
<meta property="og:title" content="Tàu container lớn nhất cập cảng Cái Mép">
<meta property="og:description" content="Sáng 12-3, tàu container có sức chở 24.000 TEU…">
<meta property="og:image" content="https://img.nhandan.example.vn/2024/03/12/tau-lon.jpg">
<link rel="canonical" href="https://nhandan.example.vn/xa-hoi/tau-container-cap-cang-cai-mep-12345">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":1,"name":"Xã hội"}]},
 {"@type":"NewsArticle","headline":"Tàu container lớn nhất cập cảng Cái Mép",
  "datePublished":"2024-03-12T09:45:00+07:00","dateModified":"2024-03-12T11:00:00+07:00",
  "author":[{"@type":"Person","name":"Trần Minh"}],
  "publisher":{"@type":"Organization","name":"Báo Nhân Dân"},
  "image":{"@type":"ImageObject","url":"https://img.nhandan.example.vn/2024/03/12/tau-lon.jpg"},
  "keywords":"cảng biển, Bà Rịa - Vũng Tàu, logistics"}]}</script>
<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments)}</script>
<style>.ads{display:block}</style>
</head><body>
<header class="site-header"><nav class="main-menu"><ul><li><a href="/">Trang chủ</a></li>
<li><a href="/chinh-tri">Chính trị</a></li><li><a href="/kinh-te">Kinh tế</a></li></ul></nav></header>
<div class="ads ads-top"><ins class="adsbygoogle" data-ad-slot="123"></ins></div>
<main class="main"><div class="container"><article class="article">
<div class="breadcrumbs"><a href="/">Trang chủ</a> › <a href="/xa-hoi">Xã hội</a></div>
<h1 class="article__title">Tàu container lớn nhất cập cảng Cái Mép</h1>
<div class="article__meta"><span class="author">Trần Minh</span> <time datetime="2024-03-12T09:45:00+07:00">Thứ Ba, 12-03-2024, 09:45</time></div>
<div class="article__share social-share"><a href="https://facebook.com/sharer">Chia sẻ</a><a href="#">Zalo</a></div>
<div class="article__sapo">Sáng 12-3, tàu container có sức chở 24.000 TEU đã cập cảng quốc tế Cái Mép, mở ra cơ hội mới cho <b>logistics</b> khu vực.</div>
<div class="article__body">
<p>Theo Cảng vụ Hàng hải Vũng Tàu, con tàu dài gần <strong>400 m</strong>, rộng 61 m.</p>
<table class="picture" align="center"><tbody>
<tr><td class="pic"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://img.nhandan.example.vn/2024/03/12/tau-lon.jpg" alt="tau-lon.jpg"></td></tr>
<tr><td class="caption">Tàu container cập cảng Cái Mép sáng 12-3. Ảnh: <em>Hải Nam</em></td></tr>
</tbody></table>
<p>Đây là lần đầu một tàu cỡ này vào cảng Việt Nam, theo <a href="/kinh-te/cang-bien-678">thống kê</a> của ngành.</p>
<h2>Năng lực cảng</h2>
<table class="table-data"><thead><tr><th>Chỉ số</th><th style="text-align:right">Năm 2023</th></tr></thead>
<tbody><tr><td>Sản lượng (TEU)</td><td style="text-align:right">7.200.000</td></tr>
<tr><td>Số tàu mẹ | tuần</td><td style="text-align:right">38</td></tr></tbody></table>
<blockquote class="quote"><p>Chúng tôi đã chuẩn bị luồng lạch từ nhiều tháng trước.</p><p>Ông Nguyễn Văn Hải</p></blockquote>
<div class="box-tin-lien-quan related"><h3>Tin liên quan</h3><ul><li><a href="/a">Cảng Cái Mép đón tàu lớn</a></li><li><a href="/b">Logistics tăng tốc</a></li></ul></div>
<figure class="picture"><img data-src="https://img.nhandan.example.vn/2024/03/12/cau-bo.jpg" src="https://nhandan.example.vn/img/blank.gif" alt="Cầu bờ của cảng Cái Mép"><figcaption>Cầu bờ dài 600 m.</figcaption></figure>
<p>Các hãng tàu gồm:</p>
<ul><li>MSC, với <em>hai</em> tuyến;</li><li>Maersk;<ul><li>tuyến châu Âu</li></ul></li></ul>
<p>&nbsp;</p>
<div class="ads ads-inline">Quảng cáo</div>
<p class="article__author" style="text-align:right"><strong>TRẦN MINH</strong></p>
</div>
<div class="article__tags tags"><a href="/tag/cang-bien">cảng biển</a> <a href="/tag/logistics">logistics</a></div>
<div class="comments" id="comments"><h3>Bình luận</h3><form><textarea></textarea><button>Gửi</button></form></div>
</article></div></main>
<footer class="site-footer"><p>© Báo Nhân Dân</p></footer>
<img src="https://stat.example.vn/pixel.gif?id=1" width="1" height="1" alt="">
<script src="./nhandan_files/app.js"></script>
</body></html>
"""

ONLINE_PAPER = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="windows-1258">
<title>Giá vàng hôm nay tăng mạnh - VnNews</title>
<meta property="og:type" content="article">
<meta property="og:site_name" content="VnNews">
<meta property="og:title" content="Giá vàng hôm nay tăng mạnh">
<meta property="og:url" content="https://vnnews.example.com/kinh-doanh/gia-vang-tang-manh-4731.html">
<meta property="article:published_time" content="2024-05-07T08:30:00+07:00">
<meta property="article:tag" content="giá vàng"><meta property="article:tag" content="thị trường">
<meta name="description" content="Giá vàng miếng tăng 1,2 triệu đồng">
<script async src="https://www.googletagmanager.com/gtag/js"></script>
</head><body class="page-detail">
<div id="header"><div class="menu"><a href="/">VnNews</a><a href="/thoi-su">Thời sự</a></div></div>
<section class="section page-detail top-detail"><div class="container"><div class="sidebar-1">
<div class="header-content"><span class="date">Thứ ba, 7/5/2024, 08:30 (GMT+7)</span></div>
<h1 class="title-detail">Giá vàng hôm nay tăng mạnh</h1>
<p class="description"><span class="location-stamp">Hà Nội</span>Giá vàng miếng SJC tăng 1,2 triệu đồng mỗi lượng, lên mức cao nhất từ đầu năm.</p>
<article class="fck_detail">
<p class="Normal">Sáng 7/5, giá vàng miếng được niêm yết ở mức 87,5 triệu đồng một lượng, tăng 1,2 triệu so với hôm qua.</p>
<figure data-size="true" itemprop="associatedMedia image" class="tplCaption action_thumb_added">
<div class="fig-picture"><picture>
<source data-srcset="https://i.vnnews.example.com/2024/05/07/vang-1-w500.jpg 1x, https://i.vnnews.example.com/2024/05/07/vang-1-w1000.jpg 2x">
<img itemprop="contentUrl" loading="lazy" intrinsicsize="680x0" alt="Vàng miếng tại một cửa hàng ở Hà Nội" class="lazy" src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" data-src="https://i.vnnews.example.com/2024/05/07/vang-1-w500.jpg">
</picture></div>
<figcaption itemprop="description"><p class="Image">Vàng miếng bày bán tại một cửa hàng ở Hà Nội. Ảnh: <em>Giang Huy</em></p></figcaption>
</figure>
<p class="Normal">Theo các chuyên gia, giá tăng do nhu cầu trú ẩn an toàn. Giá vàng thế giới lên <strong>2.330 USD</strong> một ounce; tỷ lệ <code>USD/VND</code> ở mức 25.450.</p>
<p class="Normal"><strong>Xem thêm:</strong> <a href="/kinh-doanh/vang-nhan-4720.html">Giá vàng nhẫn lập đỉnh</a></p>
<p class="Normal">Một số lưu ý cho người mua:</p>
<ol><li>Mua tại cửa hàng uy tín;</li><li>Giữ hóa đơn, chứng từ.</li></ol>
<p class="Normal">Biểu đồ giá trong tuần:</p>
<p class="Normal" style="text-align:center"><img alt="" src="data:image/png;base64,{png}"></p>
<p class="Normal" style="text-align:center"><em>Giá vàng bảy ngày qua (triệu đồng/lượng).</em></p>
<p class="Normal">Dấu * trong bảng giá nghĩa là giá tham khảo; ký hiệu [1] dẫn nguồn.</p>
<p class="Normal" style="text-align:right;"><strong>Minh Sơn</strong></p>
<div class="box-tinlienquanv2"><article class="item-news"><h4><a href="/x.html">Vàng nhẫn tăng</a></h4></article></div>
</article>
<div class="footer-content"><div class="social_share"><a class="btn_facebook">Facebook</a></div>
<div class="box-comment" id="box_comment_vne"><h3>Ý kiến (12)</h3></div></div>
</div></div></section>
<div id="footer">VnNews © 2024</div>
</body></html>
"""

WORDPRESS_PROVINCIAL = """<!DOCTYPE html>
<html lang="vi"><head>
<meta charset="UTF-8">
<title>Khánh thành cầu Bạch Đằng 2 &#8211; Báo Quảng Ninh điện tử</title>
<meta property="og:locale" content="vi_VN">
<meta property="og:type" content="article">
<meta property="og:title" content="Khánh thành cầu Bạch Đằng 2">
<meta property="og:description" content="Chiều 2-11, tỉnh Quảng Ninh khánh thành cầu Bạch Đằng 2&hellip;">
<meta property="og:site_name" content="Báo Quảng Ninh điện tử">
<meta property="article:published_time" content="2023-11-02T00:15:00+00:00">
<link rel="canonical" href="https://baoquangninh.example.vn/khanh-thanh-cau-bach-dang-2/">
<link rel="stylesheet" id="wp-block-library-css" href="./post_files/style.min.css" media="all">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"WebSite","name":"Báo Quảng Ninh điện tử", broken json</script>
</head>
<body class="post-template-default single single-post">
<div id="page" class="site"><header id="masthead" class="site-header"><div class="site-branding">Báo Quảng Ninh</div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu"><li><a href="/">Trang chủ</a></li></ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-4412" class="post-4412 post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">Khánh thành cầu Bạch Đằng 2</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="2023-11-02T07:15:00+07:00">02/11/2023</time></span>
<span class="byline"> bởi <span class="author vcard"><a class="url fn n" href="/author/thu-ha/">Thu Hà</a></span></span></div></header>
<div class="entry-content">
<p><strong>Chiều 2-11, tỉnh Quảng Ninh khánh thành cầu Bạch Đằng 2, nối thị xã Quảng Yên với thành phố Hải Phòng.</strong></p>
<p style="font-family: Arial; color: #333">Cầu dài 1,2 km, tổng vốn đầu tư hơn <em>1.000 tỷ đồng</em>, được xây trong 24 tháng.</p>
<div id="attachment_4413" style="width: 1034px" class="wp-caption aligncenter"><img aria-describedby="caption-attachment-4413" decoding="async" loading="lazy" class="size-large wp-image-4413" src="./post_files/cau-bach-dang-300x200.jpg" alt="" width="1024" height="683" srcset="https://baoquangninh.example.vn/wp-content/uploads/2023/11/cau-bach-dang-300x200.jpg 300w, https://baoquangninh.example.vn/wp-content/uploads/2023/11/cau-bach-dang-1024x683.jpg 1024w" sizes="(max-width: 1024px) 100vw, 1024px"><p id="caption-attachment-4413" class="wp-caption-text">Cầu Bạch Đằng 2 nhìn từ trên cao. Ảnh: Thu Hà</p></div>
<h3>Giảm tải cho cầu cũ</h3>
<p>Theo Sở Giao thông vận tải, cầu mới giúp giảm 40% lưu lượng xe qua cầu Bạch Đằng hiện hữu.<br>
Người dân đi lại thuận tiện hơn.</p>
<p style="text-align: center;"><img loading="lazy" src="./post_files/nguoi-dan.jpg" alt="nguoi-dan.jpg" width="800" height="533"></p>
<p style="text-align: center;"><em>Người dân qua cầu trong ngày đầu thông xe.</em></p>
<figure class="wp-block-image size-large"><img src="https://baoquangninh.example.vn/wp-content/uploads/2023/11/le-khanh-thanh.jpg" alt="Lễ khánh thành cầu"><figcaption class="wp-element-caption">Các đại biểu cắt băng khánh thành.</figcaption></figure>
<p>&nbsp;</p>
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Chia sẻ:</h3><ul><li><a href="?share=facebook">Facebook</a></li></ul></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Có liên quan</em></h3></div>
</div>
<footer class="entry-footer"><span class="tags-links">Thẻ: <a href="/tag/giao-thong/" rel="tag">giao thông</a>, <a href="/tag/quang-yen/" rel="tag">Quảng Yên</a></span></footer>
</article>
<div id="comments" class="comments-area"><div id="respond"><h3>Trả lời</h3><form id="commentform"><textarea></textarea></form></div></div>
</main></div></div></div>
<img src="https://pixel.wp.com/g.gif?blog=1&amp;post=4412" alt=":)" width="6" height="5" id="wpstats">
</body></html>
"""

HOME_PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Báo Nhân Dân điện tử</title>
<meta property="og:type" content="website"><meta property="og:title" content="Báo Nhân Dân điện tử"></head><body>
<nav><a href="/">Trang chủ</a></nav>
<div class="home"><article class="story"><h2><a href="/a">Tin một</a></h2><p>Tóm tắt một.</p></article>
<article class="story"><h2><a href="/b">Tin hai</a></h2><p>Tóm tắt hai.</p></article></div>
</body></html>
"""

# A VCCorp-style paper (the CMS several big Vietnamese dailies share): photo boxes typed
# "Photo" with data-original, a "TTO - " outlet mark on the sapo, an embedded video, NFD text.
VCCORP_DAILY = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>Hà Nội mở thêm tuyến xe buýt điện - Tuổi Trẻ Online</title>
<meta property="og:site_name" content="TUOI TRE ONLINE">
<meta name="keywords" content="xe buýt điện, giao thông công cộng, Hà Nội, VinBus, tin mới, tin nóng, đọc báo, tin tức, báo mới, 24h">
<meta itemprop="datePublished" content="2024-01-15T06:00:00+07:00">
</head><body>
<div class="header"><ul class="menu-nav"><li><a href="/">Trang chủ</a></li></ul></div>
<div class="detail-cmain">
<h1 class="detail-title article-title" data-role="title">Hà Nội mở thêm tuyến xe buýt điện</h1>
<div class="detail-author">Thanh Hương</div>
<h2 class="detail-sapo" data-role="sapo">TTO - Từ ngày 15-1, Hà Nội đưa vào khai thác tuyến xe buýt điện E10, nối Mỹ Đình với Long Biên.</h2>
<div class="detail-content afcbc-body" data-role="content">
<p>Tuyến dài 27 km, với 20 xe chạy từ 5h đến 22h mỗi ngày.</p>
<div type="Photo" class="VCSortableInPreviewMode"><div><a href="https://cdn.tuoitre.example.vn/xe-buyt-dien.jpg" data-fancybox-group="img"><img src="./tto_files/xe-buyt-dien-thumb.jpg" data-original="https://cdn.tuoitre.example.vn/xe-buyt-dien.jpg" alt="Xe buýt điện" title="Xe buýt điện"></a></div><div class="PhotoCMS_Caption"><p data-placeholder="[nhập chú thích]">Xe buýt điện tuyến E10 tại bến Mỹ Đình - Ảnh: <b>DANH KHANG</b></p></div></div>
<div type="VideoStream" class="VCSortableInPreviewMode"><iframe src="https://video.tuoitre.example.vn/embed/123"></iframe></div>
<p>Giá vé lượt 9.000 đồng; người trên 60 tuổi được miễn phí.</p>
<div type="RelatedOneNews" class="VCSortableInPreviewMode"><a href="/tin-khac.htm">Xe buýt điện đầu tiên lăn bánh</a></div>
</div>
<div class="detail-tab"><a href="/xe-buyt-dien.html">xe buýt điện</a></div>
</div>
<div class="box-comment"><h3>Bình luận</h3></div>
</body></html>
"""
