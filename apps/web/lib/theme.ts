// Applies the saved theme before the first paint (inlined into <head> by the root layout).
export const themeScript = `try{var t=localStorage.getItem('berth.theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;
