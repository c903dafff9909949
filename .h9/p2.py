import asyncio, sys
from playwright.async_api import async_playwright
URL = "http://127.0.0.1:8123"
async def main():
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = await b.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: print("CONSOLE", m.type, m.text[:200]) if m.type in ("error", "warning") else None)
        await page.goto(URL)
        await page.get_by_role("button", name="Create my smart home").click()
        await page.locator("input[name=name]").fill("Dev Owner")
        await page.locator("input[name=username]").fill("dev")
        await page.locator("input[name=password]").fill("dev-password")
        await page.locator("input[name=password_confirm]").fill("dev-password")
        await page.get_by_role("button", name="Create account").click()
        for i in range(5):
            await page.wait_for_timeout(2500)
            await page.screenshot(path=f".h9/o{i}.png")
            buttons = await page.evaluate("""() => { const out=[]; const walk=(root)=>{ for (const el of root.querySelectorAll('ha-button, mwc-button, button, ha-progress-button')) { const t=(el.innerText||'').trim(); if (t) out.push(el.tagName+':'+t.slice(0,40)); } for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot); }; walk(document); return out; }""")
            print(i, page.url, buttons[:15])
            nxt = page.get_by_role("button", name="Next")
            if await nxt.count():
                await nxt.first.click(); continue
            fin = page.get_by_role("button", name="Finish")
            if await fin.count():
                await fin.first.click(); continue
        await b.close()
asyncio.run(main())
