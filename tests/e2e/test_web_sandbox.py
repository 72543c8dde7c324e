"""``wnmrc-bot sandbox --demo`` prints where its web pages are, and the gallery there shows the
demo's published experiences with their photos."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import aiohttp

WNMRC_BOT = str(Path(sys.executable).parent / "wnmrc-bot")


async def test_the_sandbox_serves_the_demo_gallery(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        "sandbox",
        "--demo",
        "--database",
        str(tmp_path / "demo.sqlite3"),
        env=environment,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    seen = b""
    try:
        async with asyncio.timeout(60):
            while b"Web pages" not in seen:
                line = await process.stdout.readline()
                assert line, seen.decode()
                seen += line
        found = re.search(
            r"Web pages \([^)]*\): (http://127\.0\.0\.1:\d+)/experiences", seen.decode()
        )
        assert found is not None, seen.decode()
        address = found.group(1)
        headers = {"Accept-Language": "zh-CN"}
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.get(f"{address}/experiences") as response:
                assert response.status == 200
                page = await response.text()
            photos = re.findall(r'src="(/photos/\d+/\d+)"', page)
            for path in photos:
                async with session.get(address + path) as response:
                    assert response.status == 200
                    assert (await response.read()).startswith(b"\x89PNG")
        assert "高山草甸轮牧（演示）" in page
        assert "Glacier lake early warning with villages (demo)" in page
        assert "Bofedales restaurados (demo)" not in page  # only submitted
        assert len(photos) == 2  # the first photo of each
    finally:
        process.stdin.write(b"/quit\n")
        await process.stdin.drain()
        out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, (seen + out).decode()
    assert "Traceback" not in (seen + out).decode()
