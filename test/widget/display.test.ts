import { describe, expect, it, vi } from "vitest";
import { openPopup, resolveMode } from "../../widget/display.ts";

const UA = {
  chromeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  safariMac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  firefoxLinux: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  iphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  android: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
  line: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.9.0",
  facebookIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.35.80;FBBV/612345678;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]",
  facebookAndroid: "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/470.0.0.35.80;]",
  instagram: "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 Instagram 337.0.0.35.102 Android",
  tiktok: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_35.0.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/TH BytedanceWebview/d8a21c6",
  zalo: "Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36 Zalo android/12100567 ZaloTheme/light ZaloLanguage/vi",
};

/** The in-app token alone, on a desktop-class UA (iPadOS and desktop apps report one). */
const desktopWith = (token: string) => `${UA.safariMac} ${token}`;

describe("resolveMode", () => {
  it("auto opens a popup on a desktop browser", () => {
    for (const ua of [UA.chromeWindows, UA.safariMac, UA.firefoxLinux]) {
      expect(resolveMode("auto", ua)).toBe("popup");
      expect(resolveMode(undefined, ua)).toBe("popup");
    }
  });

  it("auto redirects on phones", () => {
    expect(resolveMode("auto", UA.iphone)).toBe("redirect");
    expect(resolveMode("auto", UA.android)).toBe("redirect");
    expect(resolveMode(undefined, UA.android)).toBe("redirect");
  });

  it.each([
    ["LINE", UA.line],
    ["Facebook (iOS)", UA.facebookIos],
    ["Facebook (Android)", UA.facebookAndroid],
    ["Instagram", UA.instagram],
    ["TikTok", UA.tiktok],
    ["Zalo", UA.zalo],
  ])("auto redirects in %s's in-app browser", (_name, ua) => {
    expect(resolveMode("auto", ua)).toBe("redirect");
  });

  it.each(["Line/14.9.0", "[FBAN/FBIOS;FBAV/470.0.0.35.80]", "[FBAV/470.0]", "Instagram 337.0.0.35.102", "TikTok 35.0.0", "musical_ly_35.0.0", "BytedanceWebview/d8a21c6", "Zalo/24.1"])(
    "auto redirects for %j even without a mobile token",
    (token) => {
      expect(resolveMode("auto", desktopWith(token))).toBe("redirect");
    },
  );

  // "Line/" is LINE's token only as a word of its own: a desktop app named "Pipeline/2.0" is no in-app browser.
  it("keeps the popup for a desktop browser whose user agent merely contains Line/", () => {
    expect(resolveMode("auto", desktopWith("Pipeline/2.0"))).toBe("popup");
    expect(resolveMode("auto", desktopWith("Line/14.9.0"))).toBe("redirect");
  });

  it("keeps an explicit mode whatever the browser", () => {
    for (const ua of [UA.chromeWindows, UA.iphone, UA.line, UA.instagram]) {
      expect(resolveMode("popup", ua)).toBe("popup");
      expect(resolveMode("iframe", ua)).toBe("iframe");
      expect(resolveMode("redirect", ua)).toBe("redirect");
    }
  });
});

describe("openPopup", () => {
  function fakeWindow(open: (...args: unknown[]) => unknown) {
    return { open: vi.fn(open), screen: { availHeight: 900 }, screenX: 100, screenY: 50, outerWidth: 1280, outerHeight: 1000 } as unknown as Window & { open: ReturnType<typeof vi.fn> };
  }

  it("opens one named, centred popup window on the given URL", () => {
    const popup = {};
    const win = fakeWindow(() => popup);
    expect(openPopup(win, "https://pay.example.com/checkout/wait?lang=en")).toBe(popup);
    expect(win.open).toHaveBeenCalledTimes(1);
    const [url, name, features] = win.open.mock.calls[0] as [string, string, string];
    expect(url).toBe("https://pay.example.com/checkout/wait?lang=en");
    expect(name).toBe("octopus_checkout");
    expect(features).toBe("popup,width=480,height=760,left=500,top=170");
  });

  it("answers null when the browser blocks or throws", () => {
    expect(openPopup(fakeWindow(() => null), "https://pay.example.com/")).toBeNull();
    expect(
      openPopup(
        fakeWindow(() => {
          throw new Error("blocked");
        }),
        "https://pay.example.com/",
      ),
    ).toBeNull();
  });
});
