// Applied before the page paints: the theme the user chose (remembered in localStorage), else the system's.
(() => {
  let chosen = null;
  try { chosen = localStorage.getItem('theme'); } catch { /* storage blocked: follow the system */ }
  if (chosen === 'dark' || chosen === 'light') document.documentElement.dataset.theme = chosen;
})();
