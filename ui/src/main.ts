import { createApp } from 'vue';
import App from './App.vue';

const app = createApp(App);
app.config.errorHandler = (error) => {
  // The one UI error sink: visible in the console, never a blank page.
  console.error('OpenCode Monitor:', error);
};
app.mount('#app');
