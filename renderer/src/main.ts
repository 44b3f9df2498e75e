document.getElementById("root")!.textContent = "Ferry";
