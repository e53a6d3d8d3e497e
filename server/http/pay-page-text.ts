/**
 * The payment link page's own few strings, in every language the widget has (its LOCALES), and the
 * choice of language: `?lang=` first (a merchant sending a link to a Thai customer adds `?lang=th`),
 * then the browser's Accept-Language, then English. The widget on the page gets the same language.
 */
import { LOCALES, pickLocale, type Locale } from "../../widget/i18n/index.ts";

export { LOCALES, type Locale };

export interface PayPageText {
  /** The language's name in itself, for the language links. */
  name: string;
  language: string;
  request: string;
  /** The document title. */
  payTo: string;
  amount: string;
  amountPaid: string;
  /** Beside the amount of an expired link, which can no longer be paid. */
  amountPlain: string;
  /** `{when}` is Intl.RelativeTimeFormat's "in 23 hours" in the same language. */
  expires: string;
  noScript: string;
  paidTitle: string;
  status: string;
  statusPaid: string;
  statusRefunded: string;
  reference: string;
  paidText: string;
  expiredTitle: string;
  expiredText: string;
  notFoundTitle: string;
  notFoundText: string;
  /** When the page cannot be made now (the order store is down): it passes, so the shopper retries. */
  unavailableTitle: string;
  unavailableText: string;
  tryAgain: string;
  sandbox: string;
  /** The return page (GET /checkout/return/:id), where the gateway sends the shopper back: its document title. */
  returning: string;
  returnPaid: string;
  /** Failed, rejected or expired. */
  returnNotPaid: string;
  /** Not final yet: the shop will say how it ends. */
  returnSubmitted: string;
  returnText: string;
  backToShop: string;
  checkoutNotFoundTitle: string;
  checkoutNotFoundText: string;
}

export const PAY_PAGE_TEXT: Record<Locale, PayPageText> = {
  en: {
    name: "English",
    language: "Language",
    request: "Payment request",
    payTo: "Pay {merchant}",
    amount: "Amount to pay",
    amountPaid: "Amount paid",
    amountPlain: "Amount",
    expires: "This link expires {when}.",
    noScript: "Turn on JavaScript in your browser to pay.",
    paidTitle: "This link has already been paid",
    status: "Status",
    statusPaid: "Paid",
    statusRefunded: "Refunded",
    reference: "Reference",
    paidText: "There is nothing more to pay. Keep the reference if you contact {merchant}.",
    expiredTitle: "This payment link has expired",
    expiredText: "Ask {merchant} for a new link.",
    notFoundTitle: "Payment link not found",
    notFoundText: "Check that you have the whole link, or ask the shop for a new one.",
    unavailableTitle: "This page can't load right now",
    unavailableText: "Please try again in a few seconds.",
    tryAgain: "Try again",
    sandbox: "No real money moves.",
    returning: "Returning to the shop…",
    returnPaid: "Payment received",
    returnNotPaid: "Payment not completed",
    returnSubmitted: "Payment submitted",
    returnText: "You can close this window and return to the shop; it will show the result.",
    backToShop: "Back to the shop",
    checkoutNotFoundTitle: "Checkout not found",
    checkoutNotFoundText: "This link does not belong to a checkout of this shop.",
  },
  "zh-Hans": {
    name: "简体中文",
    language: "语言",
    request: "付款请求",
    payTo: "向 {merchant} 付款",
    amount: "应付金额",
    amountPaid: "已付金额",
    amountPlain: "金额",
    expires: "此链接将于{when}失效。",
    noScript: "请在浏览器中启用 JavaScript 以完成付款。",
    paidTitle: "此链接已付款",
    status: "状态",
    statusPaid: "已付款",
    statusRefunded: "已退款",
    reference: "参考编号",
    paidText: "无需再付款。联系 {merchant} 时请提供参考编号。",
    expiredTitle: "此付款链接已过期",
    expiredText: "请向 {merchant} 索取新的链接。",
    notFoundTitle: "找不到付款链接",
    notFoundText: "请确认链接完整，或向商家索取新的链接。",
    unavailableTitle: "此页面暂时无法显示",
    unavailableText: "请几秒钟后重试。",
    tryAgain: "重试",
    sandbox: "不涉及真实资金。",
    returning: "正在返回商店…",
    returnPaid: "支付成功",
    returnNotPaid: "支付未完成",
    returnSubmitted: "支付已提交",
    returnText: "您可以关闭此窗口并返回商店，商店会显示结果。",
    backToShop: "返回商店",
    checkoutNotFoundTitle: "找不到此结账",
    checkoutNotFoundText: "此链接不属于本店的任何结账。",
  },
  "zh-Hant": {
    name: "繁體中文",
    language: "語言",
    request: "付款請求",
    payTo: "向 {merchant} 付款",
    amount: "應付金額",
    amountPaid: "已付金額",
    amountPlain: "金額",
    expires: "此連結將於{when}失效。",
    noScript: "請在瀏覽器中啟用 JavaScript 以完成付款。",
    paidTitle: "此連結已完成付款",
    status: "狀態",
    statusPaid: "已付款",
    statusRefunded: "已退款",
    reference: "參考編號",
    paidText: "無需再付款。聯絡 {merchant} 時請提供參考編號。",
    expiredTitle: "此付款連結已過期",
    expiredText: "請向 {merchant} 索取新的連結。",
    notFoundTitle: "找不到付款連結",
    notFoundText: "請確認連結完整，或向商家索取新的連結。",
    unavailableTitle: "此頁面暫時無法顯示",
    unavailableText: "請幾秒後再試一次。",
    tryAgain: "重試",
    sandbox: "不涉及真實金錢。",
    returning: "正在返回商店…",
    returnPaid: "付款成功",
    returnNotPaid: "付款未完成",
    returnSubmitted: "付款已送出",
    returnText: "您可以關閉此視窗並返回商店，商店會顯示結果。",
    backToShop: "返回商店",
    checkoutNotFoundTitle: "找不到此結帳",
    checkoutNotFoundText: "此連結不屬於本店的任何結帳。",
  },
  th: {
    name: "ไทย",
    language: "ภาษา",
    request: "คำขอชำระเงิน",
    payTo: "ชำระเงินให้ {merchant}",
    amount: "ยอดที่ต้องชำระ",
    amountPaid: "ยอดที่ชำระแล้ว",
    amountPlain: "จำนวนเงิน",
    expires: "ลิงก์นี้จะหมดอายุ{when}",
    noScript: "โปรดเปิดใช้ JavaScript ในเบราว์เซอร์เพื่อชำระเงิน",
    paidTitle: "ลิงก์นี้ชำระเงินแล้ว",
    status: "สถานะ",
    statusPaid: "ชำระแล้ว",
    statusRefunded: "คืนเงินแล้ว",
    reference: "หมายเลขอ้างอิง",
    paidText: "ไม่ต้องชำระเพิ่ม โปรดเก็บหมายเลขอ้างอิงไว้หากต้องการติดต่อ {merchant}",
    expiredTitle: "ลิงก์ชำระเงินนี้หมดอายุแล้ว",
    expiredText: "โปรดขอลิงก์ใหม่จาก {merchant}",
    notFoundTitle: "ไม่พบลิงก์ชำระเงิน",
    notFoundText: "โปรดตรวจสอบว่าลิงก์ครบถ้วน หรือขอลิงก์ใหม่จากร้านค้า",
    unavailableTitle: "ขณะนี้ไม่สามารถแสดงหน้านี้ได้",
    unavailableText: "โปรดลองอีกครั้งในอีกสักครู่",
    tryAgain: "ลองอีกครั้ง",
    sandbox: "ไม่มีการโอนเงินจริง",
    returning: "กำลังกลับไปที่ร้านค้า…",
    returnPaid: "ชำระเงินสำเร็จ",
    returnNotPaid: "การชำระเงินไม่เสร็จสมบูรณ์",
    returnSubmitted: "ส่งการชำระเงินแล้ว",
    returnText: "คุณปิดหน้าต่างนี้และกลับไปที่ร้านค้าได้ ร้านค้าจะแสดงผลการชำระเงิน",
    backToShop: "กลับไปที่ร้านค้า",
    checkoutNotFoundTitle: "ไม่พบรายการชำระเงินนี้",
    checkoutNotFoundText: "ลิงก์นี้ไม่ใช่รายการชำระเงินของร้านค้านี้",
  },
  vi: {
    name: "Tiếng Việt",
    language: "Ngôn ngữ",
    request: "Yêu cầu thanh toán",
    payTo: "Thanh toán cho {merchant}",
    amount: "Số tiền cần thanh toán",
    amountPaid: "Số tiền đã thanh toán",
    amountPlain: "Số tiền",
    expires: "Liên kết này hết hạn {when}.",
    noScript: "Hãy bật JavaScript trong trình duyệt để thanh toán.",
    paidTitle: "Liên kết này đã được thanh toán",
    status: "Trạng thái",
    statusPaid: "Đã thanh toán",
    statusRefunded: "Đã hoàn tiền",
    reference: "Mã tham chiếu",
    paidText: "Bạn không cần thanh toán thêm. Hãy giữ mã tham chiếu nếu cần liên hệ {merchant}.",
    expiredTitle: "Liên kết thanh toán này đã hết hạn",
    expiredText: "Hãy đề nghị {merchant} gửi liên kết mới.",
    notFoundTitle: "Không tìm thấy liên kết thanh toán",
    notFoundText: "Hãy kiểm tra xem liên kết có đầy đủ không, hoặc đề nghị cửa hàng gửi liên kết mới.",
    unavailableTitle: "Hiện không thể hiển thị trang này",
    unavailableText: "Vui lòng thử lại sau vài giây.",
    tryAgain: "Thử lại",
    sandbox: "Không có tiền thật được chuyển.",
    returning: "Đang quay lại cửa hàng…",
    returnPaid: "Thanh toán thành công",
    returnNotPaid: "Thanh toán chưa hoàn tất",
    returnSubmitted: "Đã gửi thanh toán",
    returnText: "Bạn có thể đóng cửa sổ này và quay lại cửa hàng; cửa hàng sẽ hiển thị kết quả.",
    backToShop: "Quay lại cửa hàng",
    checkoutNotFoundTitle: "Không tìm thấy giao dịch thanh toán",
    checkoutNotFoundText: "Liên kết này không thuộc giao dịch thanh toán nào của cửa hàng.",
  },
  id: {
    name: "Bahasa Indonesia",
    language: "Bahasa",
    request: "Permintaan pembayaran",
    payTo: "Bayar ke {merchant}",
    amount: "Jumlah yang harus dibayar",
    amountPaid: "Jumlah yang dibayar",
    amountPlain: "Jumlah",
    expires: "Tautan ini kedaluwarsa {when}.",
    noScript: "Aktifkan JavaScript di browser Anda untuk membayar.",
    paidTitle: "Tautan ini sudah dibayar",
    status: "Status",
    statusPaid: "Lunas",
    statusRefunded: "Dana dikembalikan",
    reference: "Referensi",
    paidText: "Tidak ada lagi yang perlu dibayar. Simpan nomor referensi jika Anda menghubungi {merchant}.",
    expiredTitle: "Tautan pembayaran ini sudah kedaluwarsa",
    expiredText: "Minta tautan baru kepada {merchant}.",
    notFoundTitle: "Tautan pembayaran tidak ditemukan",
    notFoundText: "Pastikan tautannya lengkap, atau minta tautan baru kepada toko.",
    unavailableTitle: "Halaman ini belum dapat ditampilkan",
    unavailableText: "Silakan coba lagi dalam beberapa detik.",
    tryAgain: "Coba lagi",
    sandbox: "Tidak ada uang sungguhan yang berpindah.",
    returning: "Kembali ke toko…",
    returnPaid: "Pembayaran berhasil",
    returnNotPaid: "Pembayaran tidak selesai",
    returnSubmitted: "Pembayaran dikirim",
    returnText: "Anda dapat menutup jendela ini dan kembali ke toko; toko akan menampilkan hasilnya.",
    backToShop: "Kembali ke toko",
    checkoutNotFoundTitle: "Checkout tidak ditemukan",
    checkoutNotFoundText: "Tautan ini bukan milik checkout toko ini.",
  },
  fil: {
    name: "Filipino",
    language: "Wika",
    request: "Kahilingan sa pagbabayad",
    payTo: "Magbayad sa {merchant}",
    amount: "Halagang babayaran",
    amountPaid: "Halagang binayaran",
    amountPlain: "Halaga",
    expires: "Mag-e-expire ang link na ito {when}.",
    noScript: "I-on ang JavaScript sa iyong browser para makapagbayad.",
    paidTitle: "Nabayaran na ang link na ito",
    status: "Status",
    statusPaid: "Bayad na",
    statusRefunded: "Na-refund",
    reference: "Reference",
    paidText: "Wala ka nang babayaran. Itago ang reference kung kokontakin mo ang {merchant}.",
    expiredTitle: "Expired na ang payment link na ito",
    expiredText: "Humingi ng bagong link sa {merchant}.",
    notFoundTitle: "Hindi mahanap ang payment link",
    notFoundText: "Tiyaking buo ang link, o humingi ng bagong link sa tindahan.",
    unavailableTitle: "Hindi maipakita ang pahinang ito ngayon",
    unavailableText: "Pakisubukang muli pagkalipas ng ilang segundo.",
    tryAgain: "Subukang muli",
    sandbox: "Walang totoong perang gumagalaw.",
    returning: "Bumabalik sa tindahan…",
    returnPaid: "Natanggap ang bayad",
    returnNotPaid: "Hindi natapos ang pagbabayad",
    returnSubmitted: "Naipadala ang bayad",
    returnText: "Puwede mo nang isara ang window na ito at bumalik sa tindahan; ipapakita roon ang resulta.",
    backToShop: "Bumalik sa tindahan",
    checkoutNotFoundTitle: "Hindi nahanap ang checkout",
    checkoutNotFoundText: "Hindi para sa checkout ng tindahang ito ang link na ito.",
  },
  bn: {
    name: "বাংলা",
    language: "ভাষা",
    request: "পেমেন্টের অনুরোধ",
    payTo: "{merchant}-কে পেমেন্ট করুন",
    amount: "পরিশোধের পরিমাণ",
    amountPaid: "পরিশোধিত পরিমাণ",
    amountPlain: "পরিমাণ",
    expires: "এই লিংকের মেয়াদ শেষ হবে {when}।",
    noScript: "পেমেন্ট করতে আপনার ব্রাউজারে JavaScript চালু করুন।",
    paidTitle: "এই লিংকের পেমেন্ট ইতিমধ্যে হয়ে গেছে",
    status: "অবস্থা",
    statusPaid: "পরিশোধিত",
    statusRefunded: "টাকা ফেরত দেওয়া হয়েছে",
    reference: "রেফারেন্স",
    paidText: "আর কিছু পরিশোধ করতে হবে না। {merchant}-এর সাথে যোগাযোগ করলে রেফারেন্সটি রেখে দিন।",
    expiredTitle: "এই পেমেন্ট লিংকের মেয়াদ শেষ হয়ে গেছে",
    expiredText: "{merchant}-এর কাছে নতুন লিংক চান।",
    notFoundTitle: "পেমেন্ট লিংক পাওয়া যায়নি",
    notFoundText: "লিংকটি সম্পূর্ণ আছে কিনা দেখুন, অথবা দোকানের কাছে নতুন লিংক চান।",
    unavailableTitle: "এই মুহূর্তে পৃষ্ঠাটি দেখানো যাচ্ছে না",
    unavailableText: "কয়েক সেকেন্ড পরে আবার চেষ্টা করুন।",
    tryAgain: "আবার চেষ্টা করুন",
    sandbox: "আসল টাকা লেনদেন হয় না।",
    returning: "দোকানে ফিরে যাওয়া হচ্ছে…",
    returnPaid: "পেমেন্ট সফল হয়েছে",
    returnNotPaid: "পেমেন্ট সম্পন্ন হয়নি",
    returnSubmitted: "পেমেন্ট জমা দেওয়া হয়েছে",
    returnText: "আপনি এই উইন্ডোটি বন্ধ করে দোকানে ফিরে যেতে পারেন; দোকান ফলাফল দেখাবে।",
    backToShop: "দোকানে ফিরে যান",
    checkoutNotFoundTitle: "চেকআউট পাওয়া যায়নি",
    checkoutNotFoundText: "এই লিংকটি এই দোকানের কোনো চেকআউটের নয়।",
  },
};

/** Accept-Language's tags, best first (by q, then as written); q=0 means "not this one". */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(entry.tag) && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

/** `?lang=` when it names one of ours, else the best of Accept-Language, else English. */
export function payPageLocale(lang: string | undefined, acceptLanguage: string | undefined): Locale {
  const asked = lang && lang.length <= 20 ? pickLocale([lang]) : "en";
  // pickLocale says "en" for anything it does not know: only an explicit English is a choice.
  if (asked !== "en" || /^en\b/i.test(lang ?? "")) return asked;
  return pickLocale(acceptedLanguages(acceptLanguage));
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}
