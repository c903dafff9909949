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
        await page.wait_for_timeout(2000)
        await page.screenshot(path=".h9/s1.png")
        html = await page.evaluate("""() => { const out=[]; const walk=(root)=>{ for (const el of root.querySelectorAll('*')) { if (el.tagName==='INPUT'||el.tagName.startsWith('HA-TEXTFIELD')||el.tagName==='HA-FORM-STRING') out.push(el.tagName+' name='+el.getAttribute('name')+' type='+el.getAttribute('type')+' label='+el.getAttribute('label')); if (el.shadowRoot) walk(el.shadowRoot);} }; walk(document); return out; }""")
        print("\n".join(html))
        await b.close()
asyncio.run(main())
