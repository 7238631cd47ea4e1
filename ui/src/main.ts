import { createApp } from 'vue';
import App from './App.vue';

// On the page's performance timeline (devtools): the app's modules are loaded and evaluated.
performance.mark('ocm:app-start');

const app = createApp(App);
app.config.errorHandler = (error) => {
  // The one UI error sink: visible in the console, never a blank page.
  console.error('OpenCode Monitor:', error);
};
app.mount('#app');
