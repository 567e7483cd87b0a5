// For a page that frames tinytrain's embed.html (docs/embedding.md): sizes each frame to the height its widget
// reports, so the frame never scrolls. Frames are matched by the window that sent the message.
addEventListener('message', (e) => {
  if (e.data?.source !== 'tiny-train' || e.data.type !== 'resize') return;
  for (const frame of document.querySelectorAll('iframe')) {
    if (frame.contentWindow === e.source) frame.style.height = `${e.data.height}px`;
  }
});
