// A page's message line: one element showing the latest error (or note) in words, hidden when empty. Errors that
// escape a handler (an unhandled rejection) land there too, so the reader sees them and the page keeps working.
//
//   const showMessage = messageLine(document.getElementById('message'));   showMessage(text, isError = true)

export function messageLine(element) {
  const show = (text, isError = true) => {
    element.textContent = text;
    element.classList.toggle('error', isError);
    element.hidden = !text;
  };
  window.addEventListener('unhandledrejection', (e) => show(e.reason?.message || String(e.reason)));
  return show;
}
