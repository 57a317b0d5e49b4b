#!/usr/bin/env python3
"""Writes a real text corpus for the topic models: the API documentation that ships with the .NET
SDK, the IntelliSense XML files of the reference assemblies (Microsoft.NETCore.App.Ref, also on
NuGet), one document per documented member (type, method, property, field, event): its summary,
remarks, parameter, return-value and exception texts with the XML markup removed and <see cref>
references reduced to their last name part. Members without text are left out.
  /usr/bin/python3 samples/data/dotnet_api_docs.py [REF_DIR] > /tmp/dotnet-api-docs.txt
REF_DIR defaults to the newest /usr/share/dotnet/packs/Microsoft.NETCore.App.Ref/*/ref/net*.
"""
import glob, re, sys
import xml.etree.ElementTree as ET

if len(sys.argv) > 1:
    ref = sys.argv[1]
else:
    found = sorted(glob.glob("/usr/share/dotnet/packs/Microsoft.NETCore.App.Ref/*/ref/net*"))
    if not found:
        sys.exit("no Microsoft.NETCore.App.Ref pack under /usr/share/dotnet/packs; give its ref/netX.Y folder")
    ref = found[-1]

def text_of(element):
    parts = []
    def walk(e):
        if e.tag in ("see", "seealso", "paramref", "typeparamref"):
            target = e.get("cref") or e.get("name") or e.get("langword") or e.get("href") or ""
            parts.append(re.split(r"[.:#]", target.split("(")[0])[-1])
        if e.text:
            parts.append(e.text)
        for child in e:
            walk(child)
            if child.tail:
                parts.append(child.tail)
    walk(element)
    return " ".join(" ".join(parts).split())

count = 0
for path in sorted(glob.glob(ref + "/*.xml")):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        continue
    for member in root.iter("member"):
        text = " ".join(text_of(child) for child in member if child.tag in ("summary", "remarks", "param", "returns", "exception", "value"))
        if text.strip():
            sys.stdout.write(text.strip() + "\n")
            count += 1
print(f"{count} documents from {ref}", file=sys.stderr)
