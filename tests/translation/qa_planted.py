"""Planted catalogs for measuring translation QA: clean pairs, and the same pairs with one error each.

Used by tests/translation/test_qa_recall.py (the bar) and bench/qa_recall.py (the figures). The
clean English is how a careful editor writes it: English number words, "first half", "Q1",
"VND1.5 trillion", names kept with their Vietnamese letters. Each planted error is one a machine
or a hurried editor makes, of the kinds QA must catch.
"""

from __future__ import annotations

CLEAN = [  # (kind, Vietnamese, English)
    ("paragraph", "Kim ngạch xuất khẩu 6 tháng đầu năm 2024 đạt 190,1 tỷ USD, tăng 14,5% so với cùng kỳ.",
     "Export turnover in the first half of 2024 reached 190.1 billion USD, up 14.5% year on year."),
    ("paragraph", "Trong quý I, sản lượng hàng hóa qua cảng đạt 1.250.000 tấn.",
     "In Q1, cargo throughput at the port reached 1,250,000 tonnes."),
    ("paragraph", "Cầu Bến Thủy II được thông xe lần thứ ba sau sửa chữa.",
     "Ben Thuy II Bridge reopened to traffic for the third time after repairs."),
    ("paragraph", "Dự án có tổng vốn đầu tư 1.500 tỷ đồng.",
     "The project has a total investment of VND1.5 trillion."),
    ("paragraph", "Ông Nguyễn Văn An, Giám đốc Sở Công Thương Quảng Ninh, cho biết 9 tháng đầu năm doanh thu tăng"
                  " mạnh.",
     "Nguyễn Văn An, director of the Quảng Ninh Department of Industry and Trade, said revenue rose sharply "
     "in the first nine months."),
    ("paragraph", "Hội nghị diễn ra vào thứ Hai, ngày 15-7.", "The conference took place on Monday, July 15."),
    ("table cell", "Quý II/2024", "Q2/2024"),
    ("table cell", "6 tháng đầu năm", "H1"),
    ("paragraph", "Sáu tháng cuối năm, ngành dự kiến tăng trưởng 7%.",
     "In the second half, the sector expects 7% growth."),
    ("paragraph", "Đây là lần thứ hai Việt Nam đăng cai sự kiện này.",
     "This is the second time Vietnam has hosted the event."),
    ("paragraph", "Khoảng 3 triệu lượt khách đã đến Hạ Long trong năm 2023.",
     "About three million visitors came to Hạ Long in 2023."),
    ("paragraph", "Thế chiến II kết thúc năm 1945.", "World War II ended in 1945."),
    ("paragraph", "Công suất đạt 20 nghìn TEU mỗi năm.", "Capacity reaches 20,000 TEU a year."),
    ("paragraph", "Nửa đầu năm nay, giá trị giao dịch đạt 2,3 tỷ USD.",
     "In H1 this year, transactions were worth $2.3 billion."),
    ("paragraph", "Quý thứ tư thường là mùa cao điểm của cảng Cái Lân.",
     "The fourth quarter is usually the peak season at Cái Lân port."),
    ("heading", "Doanh thu quý 3 tăng 12%", "Third-quarter revenue up 12%"),
]  # fmt: skip

PLANTED = [  # (index in CLEAN, the English with one error, the kind of error, the finding QA must give)
    (0, "Export turnover in the first half of 2024 reached 190.1 billion USD, tăng 14.5% year on year.",
     "Vietnamese left in the English", "Vietnamese left in the English: tăng;"),
    (2, "Ben Thuy Bridge reopened to traffic for the third time after repairs.", "Roman numeral lost",
     "number mismatch: II not"),
    (2, "Ben Thuy II Bridge reopened to traffic for the second time after repairs.", "ordinal changed",
     "number mismatch: thứ ba not"),
    (1, "In Q2, cargo throughput at the port reached 1,250,000 tonnes.", "quarter changed",
     "period mismatch: Q1 (first quarter) not"),
    (0, "Export turnover in the first half of 2023 reached 190.1 billion USD, up 14.5% year on year.", "year changed",
     "number mismatch: 2024 not"),
    (3, "The project has a total investment of VND15 trillion.", "scaled amount changed", "number mismatch: 1500 not"),
    (4, "Nguyễn Văn An, director of the Quảng Ninh Department of Industry and Trade, said revenue rose sharply "
        "in the first six months.", "period count changed",
     "period mismatch: first 9 months (9M) not"),
    (5, "The conference took place on Tuesday, July 15.", "weekday changed", "number mismatch: thứ Hai not"),
    (6, "Q3/2024", "quarter changed in a table header", "period mismatch: Q2 (second quarter) not"),
    (10, "About three million lượt visitors came to Hạ Long in 2023.", "Vietnamese word left",
     "Vietnamese left in the English: lượt;"),
    (12, "Capacity reaches 2,000 TEU a year.", "amount changed", "number mismatch: 20 not"),
    (9, "This is the first time Vietnam has hosted the event.", "ordinal changed", "number mismatch: thứ hai not"),
    (15, "Second-quarter revenue up 12%", "quarter changed in a heading", "period mismatch: Q3 (third quarter) not"),
]  # fmt: skip
